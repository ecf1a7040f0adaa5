// Start-up timing: the backend logs when each first screen is on glass (scripts/bench reads it).
import { ipc } from './ipc';

const painted = new Set<string>();

/** Tells the backend (once per screen) that a screen is on glass. */
export function reportPainted(screen: 'setup' | 'signin' | 'day'): void {
  if (painted.has(screen)) return;
  painted.add(screen);
  requestAnimationFrame(() => requestAnimationFrame(() => void ipc.uiPainted(screen).catch(() => undefined)));
}
