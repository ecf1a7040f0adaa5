// An appointment's patient e-mail as the desk sees it: the side panel's E-mail section (sent,
// waiting and why, failed with the server's words, or not sent because the patient has no
// address) and Resend. The backend sends only the mail's state, times and reason here, never
// the address or the message; it also decides who may send again (those who book). Hiding the
// button from a doctor is only so that nobody is offered what they cannot do.
import { asAppError, ipc } from './ipc';
import type { AppointmentDetail, MailState, MailStatus, Staff } from './ipc';
import { h } from './dom';
import { formatTime, t, wallTime } from './messages';
import type { MessageKey } from './messages';

/** A shape per state, so that the state never depends on telling colours apart. */
const ICONS: Record<MailState, string> = { pending: '◷', sent: '✓', failed: '!', skipped: '⊘' };

export interface MailContext {
  me: Staff;
  clinicTz: string;
}

/** An instant as the panel writes it: the clinic's date and time ("2026-07-06 9:31 a.m."). */
function when(instant: string, tz: string): string {
  return `${wallTime(instant, tz).slice(0, 10)} ${formatTime(instant, tz)}`;
}

/** What the last message the server accepted was: an invitation, its update, or a cancellation. */
function sentKind(m: MailStatus): MessageKey {
  if (m.sent_method === 'CANCEL') return 'mail.sent.cancel';
  return (m.sent_sequence ?? m.sequence) > 0 ? 'mail.sent.update' : 'mail.sent.invitation';
}

/** The state in a few words ("Invitation sent 2026-07-06 9:31 a.m.", "E-mail not sent yet"). */
export function mailHeadline(m: MailStatus, tz: string): string {
  if (m.state === 'sent' && m.sent_at) return t(sentKind(m), { time: when(m.sent_at, tz) });
  return t(`mail.state.${m.state}`);
}

/** Why the mail is where it is, in words for the desk; null when there is nothing to add. */
export function mailReason(m: MailStatus, cancelled: boolean, tz: string): string | null {
  switch (m.state) {
    case 'pending':
      if (m.waiting_for_meeting) return t('mail.why.meeting');
      if (m.tries > 0 && m.due) {
        return t('mail.why.retrying', { reason: m.reason ?? t('mail.why.unknown'), time: when(m.due, tz) });
      }
      return t('mail.why.queued');
    case 'failed':
      return t('mail.why.failed', { reason: m.reason ?? t('mail.why.unknown') });
    case 'skipped':
      if (cancelled) return t('mail.why.nothingToCancel');
      return m.has_address ? t('mail.why.addressSince') : t('mail.why.noAddress');
    default:
      return null;
  }
}

/** The last message sent, when the mail now waits or failed with a newer one. */
function previously(m: MailStatus, tz: string): string | null {
  return m.state !== 'sent' && m.sent_at ? t('mail.previously', { sent: t(sentKind(m), { time: when(m.sent_at, tz) }) }) : null;
}

/**
 * Whether sending again can do anything: not without an address, not while the invitation waits
 * for its meeting or is about to go anyway, and not for a cancelled visit nobody was invited to.
 */
export function resendUseful(m: MailStatus, cancelled: boolean): boolean {
  if (!m.has_address || m.waiting_for_meeting) return false;
  if (m.state === 'pending') return m.tries > 0;
  if (m.state === 'skipped') return !cancelled;
  return true;
}

function resendLabel(m: MailStatus, cancelled: boolean): string {
  if (cancelled) return t('mail.resendCancellation');
  return m.sent_at ? t('mail.resend') : t('mail.sendNow');
}

/** What each section shows, so that a `mail-changed` event can read it again. */
const shown = new WeakMap<HTMLElement, { detail: AppointmentDetail; ctx: MailContext }>();

/**
 * Reads the appointment's mail and shows it in `section` (hidden when the appointment has none:
 * it was booked before Frontdesk sent e-mail). Called when the panel opens and again when the
 * mail worker changes the mail; the rest of the panel is left as it is.
 */
export async function loadMail(section: HTMLElement, detail: AppointmentDetail, ctx: MailContext): Promise<void> {
  shown.set(section, { detail, ctx });
  section.dataset.appointment = String(detail.id);
  try {
    const m = await ipc.mailStatus(detail.id);
    // The panel may show another appointment by now.
    if (shown.get(section)?.detail.id === detail.id) showMail(section, detail, m, ctx);
  } catch (e) {
    section.hidden = false;
    section.replaceChildren(
      h('h3', { id: 'mail-title' }, t('mail.title')),
      h('p', { class: 'field-error', role: 'alert' }, asAppError(e).message));
  }
}

/** Reads the mail of the appointment `section` shows again; nothing if it shows none. */
export async function reloadMail(section: HTMLElement): Promise<void> {
  const was = shown.get(section);
  if (was) await loadMail(section, was.detail, was.ctx);
}

/** Fills `section` with mail `m` of the appointment (`null`: it has none, and the section hides). */
export function showMail(section: HTMLElement, detail: AppointmentDetail, m: MailStatus | null, ctx: MailContext): void {
  shown.set(section, { detail, ctx });
  section.hidden = !m;
  if (!m) { section.replaceChildren(); delete section.dataset.state; return; }
  const cancelled = detail.status === 'cancelled';
  section.dataset.state = m.state;
  section.dataset.waiting = m.waiting_for_meeting ? 'meeting' : '';
  const note = h('p', { class: 'meeting-note', role: 'status' });
  const error = h('p', { class: 'field-error', role: 'alert', hidden: true });
  const resend = async (e: Event) => {
    const button = e.currentTarget as HTMLButtonElement;
    button.disabled = true;
    error.hidden = true;
    try {
      const now = await ipc.resendMail(detail.id);
      showMail(section, detail, now, ctx);
      const after = section.querySelector('.meeting-note');
      if (after) after.textContent = t('mail.queued');
    } catch (err) {
      error.textContent = asAppError(err).message;
      error.hidden = false;
      button.disabled = false;
    }
  };
  const offered = detail.rights.resend_mail && resendUseful(m, cancelled);
  const reason = mailReason(m, cancelled, ctx.clinicTz);
  // An address removed after the mail went: say why nothing more can be sent.
  const noAddressNow = !m.has_address && m.state !== 'skipped' ? t('mail.noAddressNow') : null;
  const before = previously(m, ctx.clinicTz);
  section.replaceChildren(
    h('h3', { id: 'mail-title' }, t('mail.title')),
    h('p', { class: `meeting-state mail-${m.state}` },
      h('span', { class: 'meeting-icon', 'aria-hidden': 'true' }, ICONS[m.state]), ' ', mailHeadline(m, ctx.clinicTz)),
    reason ? h('p', { class: 'meeting-reason mail-reason' }, reason) : '',
    before ? h('p', { class: 'muted' }, before) : '',
    noAddressNow ? h('p', { class: 'mail-reason' }, noAddressNow) : '',
    offered ? h('div', { class: 'actions' },
      h('button', { type: 'button', id: 'mail-resend', onclick: resend }, resendLabel(m, cancelled))) : '',
    note, error);
}
