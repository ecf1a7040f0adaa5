// The one module that talks to the Rust backend. Components never call `invoke` directly: they
// call `ipc.*`, the client generated from the Rust types (bindings.ts), which the UI tests mock.
import { commands } from './bindings';
import type { AppError, ErrorKind } from './bindings';

export type * from './bindings';

export const ipc = commands;

// The channel a long-running command (connecting an account) answers on; built here and passed
// to `ipc.*` like any other argument.
export { Channel } from '@tauri-apps/api/core';

const KINDS: ErrorKind[] = [
  'validation', 'not_found', 'conflict', 'setup', 'unauthenticated', 'forbidden', 'unavailable', 'internal',
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
