// "Booked — Undo": after each change made at this desk (a booking, a move or reschedule, a
// cancellation, a status change) a short message offers to take it back. Undo (the button, or
// Ctrl+Z) asks the core, which undoes the person's last change to that visit within two minutes
// as a change like any other (a history row naming what it undoes, and an audit row); the bar goes after a
// few seconds.
import { asAppError, ipc } from './ipc';
import type { Appointment } from './ipc';
import { h } from './dom';
import { t } from './messages';

/** How long the message stays (the core allows two minutes). */
export const UNDO_SHOWN_MS = 10_000;

export class UndoBar {
  readonly element = h('div', { id: 'undo-bar', class: 'undo-bar', role: 'status', 'aria-live': 'polite', hidden: true });
  private id: number | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private hooks: { undone: (a: Appointment) => void; say: (message: string) => void }) {}

  /** Offers to undo the change just made to visit `id`, described by `what` ("Booked"). */
  offer(what: string, id: number): void {
    this.id = id;
    clearTimeout(this.timer);
    this.element.replaceChildren(
      h('span', {}, what),
      h('button', { type: 'button', id: 'undo', 'aria-keyshortcuts': 'Control+Z', onclick: () => void this.undo() }, `${t('undo.undo')} (Ctrl+Z)`));
    this.element.hidden = false;
    this.timer = setTimeout(() => this.clear(), UNDO_SHOWN_MS);
  }

  /** Whether a change can be undone from the bar now. */
  get offered(): boolean {
    return this.id !== null;
  }

  async undo(): Promise<void> {
    const id = this.id;
    if (id === null) return;
    this.clear();
    try {
      const undone = await ipc.undo(id);
      this.hooks.say(t('undo.done'));
      this.hooks.undone(undone);
    } catch (e) {
      this.hooks.say(asAppError(e).message);
    }
  }

  clear(): void {
    clearTimeout(this.timer);
    this.id = null;
    this.element.hidden = true;
    this.element.replaceChildren();
  }
}
