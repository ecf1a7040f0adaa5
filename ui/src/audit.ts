// The admin's audit log: who did what and when, filtered (by the database) by person, patient,
// dates and action. The backend refuses it to anyone but an admin; the navigation offers it to
// admins only.
import { asAppError, ipc } from './ipc';
import type { AuditAction, AuditEntry, Patient } from './ipc';
import { h } from './dom';
import { formatTime, t, tk, wallTime } from './messages';
import { historyWords } from './panel';
import { showDay } from './when';
import type { MessageKey } from './messages';

/** An action in words: a known one from messages.ts, else its name with spaces. */
export function actionInWords(action: string): string {
  const words = tk(`audit.${action}`);
  return words === `audit.${action}` ? action.replace(/_/g, ' ') : words;
}

/** Who acted, in words: a member of staff by name, the command line, or one of the workers. */
export function actorInWords(e: Pick<AuditEntry, 'actor' | 'actor_name'>): string {
  if (e.actor_name) return e.actor_name;
  const [kind, who] = e.actor.split(':', 2);
  if (kind === 'cli') return who && who !== 'unknown' ? t('audit.cliUser', { user: who }) : t('audit.cli');
  if (kind === 'system') return who === 'outbox' ? t('audit.outbox') : who === 'mail' ? t('audit.mailWorker') : t('audit.system');
  return e.actor;
}

/** What an appointment's change was, from and to (as its history says it); nothing otherwise. */
function changeInWords(e: AuditEntry, tz: string): string {
  const action = ({ appointment_status: 'status', appointment_moved: 'moved', appointment_cancelled: 'cancelled' } as Record<string, string>)[e.action];
  return action ? historyWords({ at: e.at, actor: e.actor, actor_name: e.actor_name, action, detail: e.detail }, { clinicTz: tz }) : '';
}

/** Every action the log records (the compiler checks the list against the Rust enum). */
const ACTIONS: Record<AuditAction, true> = {
  appointment_booked: true, appointment_moved: true, appointment_cancelled: true, appointment_status: true,
  patient_added: true, patient_changed: true, staff_added: true, staff_changed: true, type_added: true,
  type_changed: true, settings_changed: true, setting_changed: true, mail_template_changed: true,
  connected: true, disconnected: true, revoke_detected: true, refresh_failed: true, revoked_at_provider: true,
  meeting_pending: true, meeting_ready: true, meeting_failed: true, meeting_cancelled: true,
  meeting_retried: true, orphan_meeting_deleted: true, host_link_opened: true, mail_sent: true, mail_resent: true,
  join_opened: true, backup_made: true, backup_restored: true, day_exported: true,
  patient_viewed: true, appointment_viewed: true, day_sheet_printed: true, audit_exported: true,
  signed_in: true, sign_in_refused: true, sign_in_paused: true, sign_in_locked: true, sign_in_unlocked: true,
  clinic_hours_changed: true, doctor_hours_changed: true, hours_exception_added: true, hours_exception_removed: true,
};

/** The patient id in what was typed: a number, or a chosen "Jane Doe (#7)". */
function patientId(text: string): number | null {
  const m = /#(\d+)\)?\s*$/.exec(text.trim()) ?? /^(\d+)$/.exec(text.trim());
  return m ? Number(m[1]) : null;
}

export async function renderAudit(root: HTMLElement, tz: string): Promise<void> {
  const staff = await ipc.listAllStaff();
  const person = h('select', { id: 'audit-staff' },
    h('option', { value: '' }, t('audit.anyone')),
    ...staff.map((s) => h('option', { value: String(s.id) }, s.name)));
  const patients = h('datalist', { id: 'audit-patients' });
  const patient = h('input', { id: 'audit-patient', type: 'search', list: 'audit-patients', placeholder: t('audit.patientHint') });
  const action = h('select', { id: 'audit-action' },
    h('option', { value: '' }, t('audit.anyAction')),
    ...(Object.keys(ACTIONS) as AuditAction[]).map((a) => h('option', { value: a }, actionInWords(a))));
  const from = h('input', { id: 'audit-from', type: 'date' });
  const to = h('input', { id: 'audit-to', type: 'date' });
  const message = h('p', { role: 'status', class: 'muted' });
  const rows = h('tbody');
  const field = (id: string, label: MessageKey, control: HTMLElement) =>
    h('div', { class: 'field' }, h('label', { for: id }, t(label)), control);

  const suggest = async () => {
    const text = patient.value.trim();
    if (!text || patientId(text) !== null) return;
    const found: Patient[] = await ipc.findPatients(text).catch(() => []);
    patients.replaceChildren(...found.map((p) => h('option', { value: `${p.full_name} (#${p.id})` })));
  };
  const load = async () => {
    const typed = patient.value.trim();
    const pid = typed ? patientId(typed) : null;
    if (typed && pid === null) {
      message.className = 'field-error';
      message.textContent = t('audit.pickPatient');
      return;
    }
    try {
      const entries: AuditEntry[] = await ipc.auditLog(person.value ? Number(person.value) : null, pid, from.value || null, to.value || null,
        (action.value || null) as AuditAction | null);
      message.className = 'muted';
      message.textContent = entries.length ? '' : t('audit.none');
      // Newest first: an admin looks for what just happened.
      rows.replaceChildren(...[...entries].reverse().map((e) => h('tr', {},
        h('td', {}, `${showDay(wallTime(e.at, tz).slice(0, 10))} ${formatTime(e.at, tz)}`),
        h('td', {}, actorInWords(e)),
        h('td', {}, actionInWords(e.action), ...(changeInWords(e, tz) ? [h('br'), h('span', { class: 'muted' }, changeInWords(e, tz))] : [])),
        h('td', {}, e.patient_name ?? ''),
        h('td', {}, e.doctor_name ?? ''))));
    } catch (err) {
      message.className = 'field-error';
      message.textContent = asAppError(err).message;
    }
  };
  patient.addEventListener('input', () => void suggest());
  for (const control of [person, patient, action, from, to]) control.addEventListener('change', () => void load());

  root.replaceChildren(h('section', { class: 'audit' },
    h('div', { class: 'toolbar' }, h('h1', {}, t('nav.audit'))),
    h('form', { class: 'audit-filters', 'aria-label': t('audit.filters'), onsubmit: (e: Event) => { e.preventDefault(); void load(); } },
      field('audit-staff', 'audit.person', person),
      field('audit-patient', 'audit.patient', patient), patients,
      field('audit-action', 'audit.action', action),
      field('audit-from', 'audit.from', from),
      field('audit-to', 'audit.to', to),
      h('button', { type: 'submit' }, t('audit.apply'))),
    message,
    h('table', {}, h('thead', {}, h('tr', {}, ...(['audit.time', 'audit.person', 'audit.action', 'audit.patient', 'audit.doctor'] as MessageKey[])
      .map((k) => h('th', { scope: 'col' }, t(k))))), rows)));
  await load();
}
