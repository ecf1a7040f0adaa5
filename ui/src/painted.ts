// Start-up timing: the backend logs when each first screen is on glass (scripts/bench reads it).
import { ipc } from './ipc';

const painted = new Set<string>();

/** Tells the backend (once per screen) that a screen is on glass. */
export function reportPainted(screen: 'setup' | 'signin' | 'day'): void {
  if (painted.has(screen)) return;
  painted.add(screen);
  requestAnimationFrame(() => requestAnimationFrame(() => void ipc.uiPainted(screen).catch(() => undefined)));
}

/**
 * In a bench build, marks a step on the window's `performance` clock (the benchmark reports the
 * steps between an input and its painted frame); in any other build, nothing (and gone from it).
 */
export const step: (name: string) => void = import.meta.env.VITE_FRONTDESK_BENCH === '1'
  ? (name) => { performance.mark(`step:${name}`); }
  : () => undefined;
