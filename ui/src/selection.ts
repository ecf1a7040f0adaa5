// The selected appointment and its side panel (panel.ts draws it): opened from the calendar or a
// link, drawn again when the shown days are read again, closed when its appointment leaves them.
import { asAppError, ipc } from './ipc';
import type { DaySheet, DaySheetRow, Status } from './ipc';
import { h } from './dom';
import { renderPanel, renderPanelSummary, updatePanelMail, updatePanelMeeting } from './panel';
import type { PanelContext } from './panel';
import type { Session } from './session';

export interface SelectionHooks {
  /** The appointment was changed from the panel: read the shown days again. */
  onChanged: () => void;
  say: (message: string) => void;
  /** A status was changed from the panel: offer to undo it. */
  statusChanged: (id: number, status: Status) => void;
  /** Staff and type names by id, for the history's words. */
  nameOf?: PanelContext['nameOf'];
  /** Reschedule the selected visit (the booking dialog, on it). */
  reschedule: (row: DaySheetRow) => void;
  /** The visit whose panel is open, or none: the calendar marks it. */
  opened?: (id: number | null) => void;
}

export class SelectedAppointment {
  readonly panel = h('aside', { id: 'panel', class: 'panel', hidden: true, 'aria-live': 'polite' });
  private row: DaySheetRow | null = null;

  constructor(private session: Session, private hooks: SelectionHooks) {}

  /** The selected appointment's id, if one is. */
  get id(): number | null {
    return this.row?.id ?? null;
  }

  async select(row: DaySheetRow): Promise<void> {
    // Another visit opens at once on what the calendar has; the same one, read again after a
    // change, keeps its whole panel until the new one is drawn.
    if (this.row?.id !== row.id || this.panel.hidden) renderPanelSummary(this.panel, row, this.context(row));
    this.row = row;
    this.hooks.opened?.(row.id);
    try {
      const detail = await ipc.appointment(row.id);
      if (this.row?.id !== row.id) return; // another visit was opened meanwhile
      renderPanel(this.panel, detail, this.context(row));
    } catch (e) {
      this.hooks.say(asAppError(e).message);
    }
  }

  /** After the shown days were read again: the panel drawn anew, or closed when its appointment is not among them. */
  async follow(sheet: DaySheet): Promise<void> {
    if (!this.row) return;
    const still = sheet.appointments.find((a) => a.id === this.row?.id);
    if (still) await this.select(still); else this.close();
  }

  /** Shows the selected appointment's new meeting state in its Meeting section only, so that a cancel reason being typed in the panel stays. */
  meetingChanged(): void {
    const row = this.row;
    if (!row) return;
    void ipc.appointment(row.id)
      .then((detail) => { if (this.row?.id === row.id) updatePanelMeeting(this.panel, detail, this.context(row)); })
      .catch(() => undefined);
  }

  /** Reads the panel's E-mail section again. */
  mailChanged(): void {
    void updatePanelMail(this.panel).catch(() => undefined);
  }

  /** A status shortcut: the panel's button for `status`, if the lifecycle offers it. */
  press(status: Status): void {
    this.panel.querySelector<HTMLButtonElement>(`button[data-status="${status}"]`)?.click();
  }

  /** The Reschedule shortcut: the panel's button, when the reader may reschedule the visit. */
  reschedule(): void {
    this.panel.querySelector<HTMLButtonElement>('#panel-reschedule')?.click();
  }

  close(): void {
    this.row = null;
    this.hooks.opened?.(null);
    this.panel.hidden = true;
  }

  private context(row: DaySheetRow): PanelContext {
    return {
      clinicTz: this.session.clinic.tz,
      me: this.session.me,
      names: { patient: row.patient_name, doctor: row.doctor_name, type: row.type_name },
      onChanged: () => this.hooks.onChanged(),
      onClose: () => this.close(),
      nameOf: this.hooks.nameOf,
      onReschedule: () => this.hooks.reschedule(row),
      onStatus: (status) => this.hooks.statusChanged(row.id, status),
    };
  }
}
