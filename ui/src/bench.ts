// Bench builds only (`VITE_FRONTDESK_BENCH=1`, with the backend's `bench` feature; scripts/bench):
// times interactions on the window's own `performance` clock, from the input event that starts
// one to the frame painted after its change, and sends each figure to the backend, which logs it
// (src-tauri/bench.rs). main.ts loads this module only in such a build; a shipped build has no
// trace of it. It talks to the backend by emitting an event, not through ipc.ts: it is the
// benchmark's instrument, not part of the app, and has no binding.
//
// The driver (tests/bench/interactions.py, over WebDriver) arms one measurement, then sends the
// input. The clock starts at that input event's `timeStamp`. The change counts as shown when, after
// the answer to the named command (when there is one) of a call made after the input, the DOM
// under `within` changed and `present` / `absent` hold; the mark is taken two animation frames
// later, when the frame with the change has been painted.
import { emit } from '@tauri-apps/api/event';
import { commands } from './bindings';

type Command = keyof typeof commands;

export interface Spec {
  name: string;
  /** The input event that starts the clock: `keydown` (default), `pointerdown` or `pointerup`. */
  input?: 'keydown' | 'pointerdown' | 'pointerup';
  /** The key whose keydown starts it, when a modifier is pressed first (Ctrl+Z: `z`). */
  key?: string;
  /** A command whose answer, to a call made after the input, comes before the change. */
  ipc?: Command | null;
  /** Where the change shows (a CSS selector). */
  within: string;
  /** A selector that must then match, and one that must not. */
  present?: string;
  absent?: string;
}

interface Armed extends Spec {
  t0: number | null;
  answered: boolean;
  finished: boolean;
  /** Where the time went: each command's answer, and the change seen, in ms from the input. */
  phases: Record<string, number>;
}

export interface Mark { name: string; ms: number; error?: string; phases?: Record<string, number> }

let armed: Armed | null = null;
/** Every mark taken, also readable by the driver (the log is the record). */
const marks: Mark[] = [];

function report(mark: Mark): void {
  marks.push(mark);
  void emit('bench-mark', mark).catch(() => undefined);
}

function finish(a: Armed): void {
  if (a.finished || a.t0 === null) return;
  a.finished = true;
  const t0 = a.t0;
  a.phases.changed = Math.round((performance.now() - t0) * 10) / 10;
  // The app's own steps (painted.ts `step`) since the input.
  for (const m of performance.getEntriesByType('mark')) {
    if (m.name.startsWith('step:') && m.startTime >= t0) a.phases[m.name.slice(5)] = Math.round((m.startTime - t0) * 10) / 10;
  }
  performance.clearMarks();
  requestAnimationFrame(() => requestAnimationFrame(() => {
    if (armed === a) armed = null;
    report({ name: a.name, ms: Math.round((performance.now() - t0) * 10) / 10, phases: a.phases });
  }));
}

function holds(a: Armed): boolean {
  return (!a.present || document.querySelector(a.present) !== null)
    && (!a.absent || document.querySelector(a.absent) === null);
}

/** Each command's answers mark the measurement armed when the call was made, if it was started. */
function watchCommands(): void {
  const table = commands as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const name of Object.keys(table)) {
    const call = table[name];
    if (typeof call !== 'function') continue;
    table[name] = async (...args: unknown[]) => {
      const timing = armed && armed.t0 !== null && !armed.finished ? armed : null;
      const a = timing && timing.ipc === name ? timing : null;
      // When each command was first asked (`name>`), as well as when it answered (`name`).
      if (timing?.t0 != null && !(`${name}>` in timing.phases)) timing.phases[`${name}>`] = Math.round((performance.now() - timing.t0) * 10) / 10;
      try {
        const answer = await call(...args);
        if (a) a.answered = true;
        if (timing?.t0 != null && !(name in timing.phases)) timing.phases[name] = Math.round((performance.now() - timing.t0) * 10) / 10;
        return answer;
      } catch (e) {
        if (a && !a.finished) {
          a.finished = true;
          report({ name: a.name, ms: -1, error: JSON.stringify(e) });
        }
        throw e;
      }
    };
  }
}

export function start(): void {
  watchCommands();
  for (const type of ['keydown', 'pointerdown', 'pointerup'] as const) {
    window.addEventListener(type, (e) => {
      // The sign-in's Enter is armed by itself: the day view painted after it is the figure (the
      // sign-in's answer carries the day, or the calendar reads it after).
      if (!armed && type === 'keydown' && (e as KeyboardEvent).key === 'Enter' && (e.target as Element | null)?.id === 'signin-pin') {
        arm({ name: 'signin_enter_to_day_view', ipc: 'signIn', within: '#calendar', present: '#calendar .visit' });
      }
      const a = armed;
      if (!a || a.t0 !== null || (a.input ?? 'keydown') !== type) return;
      if (a.key && (e as KeyboardEvent).key !== a.key) return;
      // The event's time stamp is on the same clock (a platform whose stamps are not falls back to now).
      const now = performance.now();
      a.t0 = e.timeStamp > 0 && e.timeStamp <= now ? e.timeStamp : now;
    }, true);
  }
  new MutationObserver((records) => {
    const a = armed;
    if (!a || a.t0 === null || a.finished || (a.ipc && !a.answered)) return;
    const inside = records.some((r) => {
      const node = r.target instanceof Element ? r.target : r.target.parentElement;
      return node?.closest(a.within) != null || [...r.addedNodes].some((n) => n instanceof Element && n.matches(a.within));
    });
    if (inside && holds(a)) finish(a);
  }).observe(document.documentElement, { subtree: true, childList: true, attributes: true, characterData: true });
  const w = window as unknown as { __bench: unknown };
  w.__bench = { arm, marks, pending: () => armed !== null };
}

/** Arms one measurement: the next matching input event starts it. */
function arm(spec: Spec): void {
  armed = { ...spec, t0: null, answered: false, finished: false, phases: {} };
}
