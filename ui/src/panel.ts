// The side panel of the selected appointment: details, the video meeting of a telehealth visit,
// the patient's e-mail (read when the panel opens: the day's query does not carry it), history,
// and the status actions the lifecycle allows next (the backend says which; it also
// enforces them).
import { asAppError, ipc } from './ipc';
import type { AppointmentDetail, HistoryEntry, Staff, Status } from './ipc';
import { h } from './dom';
import { formatTime, t, tk, wallTime } from './messages';
import { showDay } from './when';
import { showMeeting } from './meeting';
import { loadMail, reloadMail } from './mail';

export interface PanelContext {
  clinicTz: string;
  /** Who is signed in: Start is offered to the assigned doctor and admins only. */
  me: Staff;
  names: { patient: string; doctor: string; type: string };
  /** Staff and type names by id, for the history's words (a change of doctor or type). */
  nameOf?: { staff: (id: number) => string | undefined; type: (id: number) => string | undefined };
  onChanged: () => void;
  onClose: () => void;
  /** The visit's status was changed here (cancelled included): offer to undo it. */
  onStatus: (status: Status) => void;
  /** Opens the booking dialog on this visit, to change its day, time, doctor or type. */
  onReschedule: () => void;
}

export function renderPanel(root: HTMLElement, detail: AppointmentDetail, ctx: PanelContext): void {
  const a = detail;
  const error = h('p', { class: 'field-error', id: 'panel-error', role: 'alert', hidden: true });
  const fail = (e: unknown) => { error.textContent = asAppError(e).message; error.hidden = false; };

  const change = async (status: Status) => {
    try {
      await ipc.setStatus(a.id, status);
      ctx.onStatus(status);
      ctx.onChanged();
    } catch (e) { fail(e); }
  };

  const reason = h('textarea', { id: 'cancel-reason', rows: 2, required: true, 'aria-describedby': 'panel-error' });
  const cancelForm = h('form', { class: 'cancel-form', hidden: true },
    h('label', { for: 'cancel-reason' }, t('panel.reason')), reason,
    h('button', { type: 'submit', class: 'danger' }, t('panel.confirmCancel')));
  cancelForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    reason.removeAttribute('aria-invalid');
    try {
      await ipc.cancelAppointment(a.id, reason.value);
      ctx.onStatus('cancelled');
      ctx.onChanged();
    } catch (err) {
      // The error line sits right under the reason; it describes the box when it is about it.
      fail(err);
      if (asAppError(err).field === 'reason') reason.setAttribute('aria-invalid', 'true');
      reason.focus();
    }
  });

  const actions = h('div', { class: 'actions' },
    a.rights.reschedule ? h('button', { type: 'button', id: 'panel-reschedule', 'aria-keyshortcuts': 'R', onclick: ctx.onReschedule },
      `${t('panel.reschedule')} (R)`) : null,
    ...a.next_statuses.map((s) => h('button', {
      type: 'button', 'data-status': s, class: s === 'cancelled' ? 'danger' : '',
      onclick: () => {
        if (s === 'cancelled') { cancelForm.hidden = false; reason.focus(); } else { void change(s); }
      },
    }, tk(`action.${s}`))));

  const meeting = h('section', { id: 'panel-meeting', class: 'meeting', 'aria-labelledby': 'meeting-title' });
  updatePanelMeeting(meeting, detail, ctx);
  const mail = h('section', { id: 'panel-mail', class: 'meeting mail', 'aria-labelledby': 'mail-title', hidden: true });
  void loadMail(mail, detail, { me: ctx.me, clinicTz: ctx.clinicTz });

  root.replaceChildren(
    ...summary(a, ctx),
    actions, cancelForm, error,
    meeting,
    mail,
    h('h3', {}, t('panel.history')),
    h('ol', { class: 'history' }, ...detail.history.map((e) => h('li', {},
      h('time', { datetime: e.at }, `${showDay(wallTime(e.at, ctx.clinicTz).slice(0, 10))} ${formatTime(e.at, ctx.clinicTz)}`), ' ',
      h('span', {}, historyWords(e, ctx)), ' ', h('span', { class: 'muted' }, e.actor_name ?? e.actor)))),
  );
  root.hidden = false;
}

/** What a visit's panel shows first, from what the calendar already has. */
type Summary = Pick<AppointmentDetail, 'start' | 'end' | 'tz' | 'status' | 'cancel_reason' | 'topic'>;

/** The panel's head: the patient, when, the type and doctor, the status, a cancel reason and topic. */
function summary(a: Summary, ctx: PanelContext): Node[] {
  const bookedIn = a.tz === ctx.clinicTz ? '' : ` (${t('panel.bookedIn', { tz: a.tz })}: ${formatTime(a.start, a.tz)})`;
  return [
    h('header', {},
      h('h2', {}, ctx.names.patient),
      h('button', { type: 'button', class: 'icon', 'aria-label': t('panel.close'), onclick: ctx.onClose }, '×')),
    h('p', { class: 'when' }, `${showDay(wallTime(a.start, ctx.clinicTz).slice(0, 10))} · ${formatTime(a.start, ctx.clinicTz)}–${formatTime(a.end, ctx.clinicTz)}${bookedIn}`),
    h('p', {}, `${ctx.names.type} · ${ctx.names.doctor}`),
    h('p', { class: `badge status-${a.status}` }, tk(`status.${a.status}`)),
    a.cancel_reason ? h('p', { class: 'muted' }, a.cancel_reason) : '',
    a.topic ? h('p', {}, a.topic) : '',
  ].filter((n): n is HTMLElement => n !== '');
}

/**
 * Opens the panel at once on what the calendar shows of the visit (its head), before its audited
 * read answers; `renderPanel` then draws it whole, with the actions the reader may take.
 */
export function renderPanelSummary(root: HTMLElement, row: Summary, ctx: PanelContext): void {
  root.replaceChildren(...summary(row, ctx), h('p', { class: 'muted', id: 'panel-reading' }, t('panel.reading')));
  root.hidden = false;
}

/** What a history row changed, from and to, in the desk's words: "Booked → Checked in". */
export function historyWords(e: HistoryEntry, ctx: Pick<PanelContext, 'clinicTz' | 'nameOf'>): string {
  const d = (e.detail ?? {}) as Record<string, unknown>;
  const status = (s: unknown) => tk(`status.${String(s)}`);
  const at = (side: unknown) => {
    const v = (side ?? {}) as Record<string, unknown>;
    if (typeof v.start !== 'string') return '';
    return `${showDay(wallTime(v.start, ctx.clinicTz).slice(0, 10))} ${formatTime(v.start, ctx.clinicTz)}`;
  };
  let words: string;
  if (e.action === 'status' && d.from && d.to) words = t('history.statusFromTo', { from: status(d.from), to: status(d.to) });
  else if (e.action === 'cancelled' && d.from) words = t('history.cancelledFrom', { from: status(d.from) });
  else if (e.action === 'moved' && d.from && d.to) {
    const from = d.from as Record<string, unknown>;
    const to = d.to as Record<string, unknown>;
    const also = [
      typeof to.doctor_id === 'number' ? `${ctx.nameOf?.staff(Number(from.doctor_id)) ?? ''} → ${ctx.nameOf?.staff(to.doctor_id) ?? ''}` : '',
      typeof to.type_id === 'number' ? `${ctx.nameOf?.type(Number(from.type_id)) ?? ''} → ${ctx.nameOf?.type(to.type_id) ?? ''}` : '',
    ].filter((s) => s !== '' && s.trim() !== '→');
    words = [t('history.movedFromTo', { from: at(from), to: at(to) }), ...also].join(' · ');
  } else words = tk(`history.${e.action}`);
  return d.undoes === undefined ? words : `${words} ${t('history.undo')}`;
}

/**
 * Shows the appointment's meeting as it is now in the panel's Meeting section (`root` is the
 * panel or the section), leaving the rest of the panel as it is.
 */
export function updatePanelMeeting(root: HTMLElement, detail: AppointmentDetail, ctx: PanelContext): void {
  const section = root.id === 'panel-meeting' ? root : root.querySelector<HTMLElement>('#panel-meeting');
  if (!section) return;
  showMeeting(section, detail, { me: ctx.me, doctorName: ctx.names.doctor, clinicTz: ctx.clinicTz, onChanged: ctx.onChanged });
}

/** Reads the patient e-mail the panel shows again (the mail worker changed it). */
export function updatePanelMail(root: HTMLElement): Promise<void> {
  const section = root.querySelector<HTMLElement>('#panel-mail');
  return section ? reloadMail(section) : Promise.resolve();
}

/** Shortcut letters for the selected appointment's status actions. */
export const STATUS_KEYS: Record<string, Status> = { i: 'checked-in', s: 'in-progress', c: 'completed', m: 'no-show', x: 'cancelled' };
