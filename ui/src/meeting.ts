// A telehealth appointment's video meeting as the desk sees it: the badge on its calendar event
// and the Meeting section of the side panel (where it stands and why, Join, Start, Retry).
// The host's start link never reaches the window: Start asks the backend, which fetches it,
// opens it outside the app and records who did. The backend also decides who may do what;
// hiding a button here is only so that nobody is offered what they cannot do.
import { asAppError, ipc } from './ipc';
import type { AppointmentDetail, MeetingInfo, MeetingState, Staff } from './ipc';
import { h } from './dom';
import { formatTime, t, tk } from './messages';

/** A shape per state, so that the state never depends on telling colours apart. */
const ICONS: Record<MeetingState, string> = { pending: '◷', ready: '✓', failed: '!', cancelled: '⊘' };

function service(m: MeetingInfo): string {
  return m.provider === 'zoom' ? t('acct.zoom') : t('acct.microsoft');
}

/** Why the meeting is where it is, in words for the desk; null when there is nothing to add. */
export function meetingReason(m: MeetingInfo, doctor: string, tz: string): string | null {
  const vars = { service: service(m), doctor };
  if (m.state === 'pending') {
    const waiting = m.waiting ?? 'queued';
    // A wait with a known end says when, in the clinic's time.
    if ((waiting === 'retrying' || waiting === 'quota') && m.due) {
      return tk(`meeting.why.${waiting}At`, { ...vars, time: formatTime(m.due, tz) });
    }
    return tk(`meeting.why.${waiting}`, vars);
  }
  if (m.state === 'failed') return m.error ?? t('meeting.why.failed', vars);
  if (m.state === 'cancelled') return t('meeting.why.cancelled', vars);
  return null;
}

/** The state in a few words, as the calendar event shows it ("Meeting pending · not connected"). */
export function meetingShort(m: MeetingInfo): string {
  const state = tk(`meeting.state.${m.state}`);
  return m.state === 'pending' ? `${state} · ${tk(`meeting.short.${m.waiting ?? 'queued'}`)}` : state;
}

/** The state's shape alone, where there is no room for words (the words are in the badge). */
export function meetingMark(m: MeetingInfo): HTMLElement {
  return h('span', { class: `meeting-mark meeting-${m.state}`, 'aria-hidden': 'true' }, ICONS[m.state]);
}

/** The badge on a telehealth appointment's calendar event: a shape and words, not colour only. */
export function meetingBadge(m: MeetingInfo): HTMLElement {
  return h('span', { class: `meeting-badge meeting-${m.state}`, 'data-meeting': m.state, 'data-waiting': m.waiting ?? '' },
    h('span', { class: 'meeting-icon', 'aria-hidden': 'true' }, ICONS[m.state]), ' ', meetingShort(m));
}

export interface MeetingContext {
  me: Staff;
  doctorName: string;
  clinicTz: string;
  /** The meeting was sent again: read the appointment again. */
  onChanged: () => void;
}

/**
 * Fills `section` with the appointment's meeting, or hides it for an in-person visit. Called
 * again when the outbox changes the meeting, without touching the rest of the panel (a cancel
 * reason being typed there stays).
 */
export function showMeeting(section: HTMLElement, detail: AppointmentDetail, ctx: MeetingContext): void {
  const m = detail.meeting;
  section.hidden = !m;
  if (!m) { section.replaceChildren(); return; }
  section.dataset.state = m.state;
  section.dataset.waiting = m.waiting ?? '';
  const vars = { service: service(m) };
  const note = h('p', { class: 'meeting-note', role: 'status' });
  const error = h('p', { class: 'field-error', role: 'alert', hidden: true });
  const act = (call: () => Promise<null>, done: string | null) => async (e: Event) => {
    const button = e.currentTarget as HTMLButtonElement;
    button.disabled = true;
    error.hidden = true;
    try {
      await call();
      if (done) note.textContent = done;
      else ctx.onChanged();
    } catch (err) {
      error.textContent = asAppError(err).message;
      error.hidden = false;
    } finally {
      button.disabled = false;
    }
  };
  const actions = h('div', { class: 'actions' },
    m.state === 'ready' && m.join_url ? h('button', {
      type: 'button', id: 'meeting-join', class: 'primary',
      onclick: act(() => ipc.joinMeeting(detail.id), t('meeting.opened', vars)),
    }, t('meeting.join')) : null,
    m.state === 'ready' && detail.rights.start_meeting ? h('button', {
      type: 'button', id: 'meeting-start',
      onclick: act(() => ipc.startMeeting(detail.id), t('meeting.startedHost', vars)),
    }, t('meeting.start')) : null,
    m.state === 'failed' && detail.rights.retry_meeting ? h('button', {
      type: 'button', id: 'meeting-retry', onclick: act(() => ipc.retryMeeting(detail.id), null),
    }, t('meeting.retry')) : null);
  const reason = meetingReason(m, ctx.doctorName, ctx.clinicTz);
  section.replaceChildren(
    h('h3', { id: 'meeting-title' }, t('meeting.title', vars)),
    h('p', { class: `meeting-state meeting-${m.state}` },
      h('span', { class: 'meeting-icon', 'aria-hidden': 'true' }, ICONS[m.state]), ' ', tk(`meeting.state.${m.state}`)),
    reason ? h('p', { class: 'meeting-reason' }, reason) : '',
    actions.childElementCount ? actions : '', note, error);
}
