// The one module that talks to the Rust backend. Components never call `invoke` or `listen`
// directly: they call `ipc.*` and hear `events.*`, the client and the events generated from the
// Rust types (bindings.ts), which the UI tests mock. A test (boundary.test.ts) keeps it so.
import { commands, events } from './bindings';
import type { AppError, ErrorKind } from './bindings';
import type { Event, UnlistenFn } from '@tauri-apps/api/event';

export type * from './bindings';
export type { UnlistenFn };

/**
 * The client, as the UI uses it. When the end-to-end test sets `window.__frontdeskIpcLog` to an
 * array, every answer (and error) is also recorded there: the test scans them all for token and
 * secret values. Otherwise the calls go straight through.
 */
export const ipc: typeof commands = new Proxy(commands, {
  get(target, name, receiver) {
    const value: unknown = Reflect.get(target, name, receiver);
    const log = (globalThis as { __frontdeskIpcLog?: unknown }).__frontdeskIpcLog;
    if (typeof value !== 'function' || !Array.isArray(log)) return value;
    return async (...args: unknown[]) => {
      try {
        const answer: unknown = await value(...args);
        log.push(`${String(name)} ${JSON.stringify(answer)}`);
        return answer;
      } catch (e) {
        log.push(`${String(name)} ! ${JSON.stringify(e)}`);
        throw e;
      }
    };
  },
});

/**
 * What the backend tells the window without being asked, each event named and typed once in Rust:
 * `events.meetingChanged`, `events.mailChanged`, `events.deepLink`, `events.accountConnection`.
 * Hear one with `subscribe`; `events.x.listen` is for a caller that must know when it is heard
 * (the connect wizard listens before it starts a flow). Tests send them with `events.x.emit`.
 */
export { events };

/**
 * Calls `on` with the payload of each `event` until the returned function is called. Nothing is
 * heard after that, even when the listener was still being registered; a registration that fails
 * (no backend) hears nothing.
 */
export function subscribe<T>(
  event: { listen: (handler: (e: Event<T>) => void) => Promise<UnlistenFn> },
  on: (payload: T) => void,
): () => void {
  let stopped = false;
  let unlisten: UnlistenFn | null = null;
  event.listen((e) => { if (!stopped) on(e.payload); })
    .then((stop) => { if (stopped) stop(); else unlisten = stop; })
    .catch(() => undefined);
  return () => {
    stopped = true;
    unlisten?.();
  };
}

// The channel a long-running command (connecting an account) answers on; built here and passed
// to `ipc.*` like any other argument.
export { Channel } from '@tauri-apps/api/core';

const KINDS: ErrorKind[] = [
  'validation', 'not_found', 'conflict', 'outside_hours', 'setup', 'unauthenticated', 'forbidden', 'unavailable',
  'internal',
];

/** Every failed command rejects with an AppError; anything else becomes an `internal` one. */
export function asAppError(e: unknown): AppError {
  if (typeof e === 'object' && e !== null && 'kind' in e && 'message' in e) {
    const { kind, message, field } = e as { kind: unknown; message: unknown; field?: unknown };
    if (KINDS.includes(kind as ErrorKind) && typeof message === 'string') {
      return { kind: kind as ErrorKind, message, field: typeof field === 'string' ? field : null };
    }
  }
  return { kind: 'internal', message: String(e), field: null };
}
