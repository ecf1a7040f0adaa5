// Patients, staff, appointment types and clinic settings: list, search, add, edit. Admin-only
// screens are offered only to admins, and the backend refuses them to anyone else regardless.
import { asAppError, ipc } from './ipc';
import type { AppointmentType, Clinic, Mode, Patient, PatientVisits, Role, Staff, Visit } from './ipc';
import { h } from './dom';
import { pickZone } from './when';
import { renderJoin } from './signin';
import { formatTime, t, tk } from './messages';
import { renderMailTexts } from './mailtexts';
import { updatesCard } from './updates';
import { visitText } from './find';
import type { MessageKey } from './messages';

/**
 * One box of an editor. `key` is the name the backend gives this input in an error's `field`
 * (the property of the command's input: `email`, `full_name`...), so a refusal lands beside it.
 */
type Field = { id: string; key: string; label: MessageKey; type?: string; value?: string; options?: [string, string][]; checked?: boolean };

function editor(title: string, fields: Field[], onSave: (values: Record<string, string | boolean>) => Promise<void>): HTMLFormElement {
  const message = h('p', { role: 'status', class: 'muted' });
  const errors = new Map<string, HTMLElement>();
  const form = h('form', { class: 'card editor', 'aria-label': title, novalidate: true }, h('h2', {}, title),
    ...fields.map((f) => {
      const error = h('p', { class: 'field-error', id: `${f.id}-error`, hidden: true });
      errors.set(f.id, error);
      const control = f.options
        ? h('select', { id: f.id, 'aria-describedby': error.id }, ...f.options.map(([v, label]) => h('option', { value: v, selected: v === f.value }, label)))
        : h('input', { id: f.id, type: f.type ?? 'text', value: f.value ?? '', checked: f.checked ?? false, 'aria-describedby': error.id });
      return h('div', { class: f.type === 'checkbox' ? 'field inline' : 'field' }, h('label', { for: f.id }, t(f.label)), control, error);
    }),
    message,
    h('button', { type: 'submit', class: 'primary' }, t('dir.save')));
  const control = (f: Field) => form.querySelector(`#${f.id}`) as HTMLInputElement;
  const clearErrors = () => {
    for (const f of fields) {
      const error = errors.get(f.id);
      if (error) { error.hidden = true; error.textContent = ''; }
      control(f).removeAttribute('aria-invalid');
    }
  };
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors();
    message.className = 'muted';
    message.textContent = '';
    const values: Record<string, string | boolean> = {};
    for (const f of fields) values[f.id] = f.type === 'checkbox' ? control(f).checked : control(f).value;
    try {
      await onSave(values);
      message.textContent = t('dir.saved');
    } catch (err) {
      // What was typed stays; the message goes beside the box the backend names in `field`,
      // or under the form when it names none of them.
      const error = asAppError(err);
      const at = fields.find((f) => f.key === error.field);
      const beside = at ? errors.get(at.id) : undefined;
      if (at && beside) {
        beside.textContent = error.message;
        beside.hidden = false;
        control(at).setAttribute('aria-invalid', 'true');
        control(at).focus();
      } else {
        message.className = 'field-error';
        message.textContent = error.message;
      }
    }
  });
  return form;
}

const blank = (v: string | boolean | undefined) => (typeof v === 'string' && v.trim() ? v.trim() : null);

/** What the patient's record needs from the desk: the calendar's zone, and a way to a visit. */
export interface RecordHooks {
  tz: string;
  /** Shows a visit in the calendar (its day, selected). */
  openVisit: (id: number) => Promise<void>;
  /** A patient's record to open at once (chosen in Find). */
  open?: number | null;
}

/** A patient's visits in their record: upcoming soonest first, past latest first, each a button to the calendar. */
function visitList(visits: PatientVisits, hooks: RecordHooks): HTMLElement {
  const part = (id: string, title: MessageKey, list: Visit[], more: MessageKey | null) =>
    h('section', { 'aria-labelledby': id },
      h('h3', { id }, t(title)),
      list.length
        ? h('ul', { class: 'visit-list' }, ...list.map((v) => h('li', {},
          h('button', { type: 'button', class: `visit status-${v.status}`, 'data-visit': v.id, onclick: () => void hooks.openVisit(v.id) },
            visitText(v, hooks.tz)))))
        : h('p', { class: 'muted' }, t('visits.none')),
      more ? h('p', { class: 'muted' }, t(more)) : null);
  return h('div', { class: 'card patient-visits', id: 'patient-visits' },
    h('h2', {}, t('visits.title')),
    h('p', { class: 'muted' }, t('visits.hint')),
    part('visits-upcoming', 'visits.upcoming', visits.upcoming, visits.more_upcoming ? 'visits.moreUpcoming' : null),
    part('visits-past', 'visits.past', visits.past, visits.more_past ? 'visits.morePast' : null));
}

/** The record for someone who reads it but does not edit patients (a doctor). */
function readOnlyRecord(p: Patient): HTMLElement {
  const row = (label: MessageKey, value: string | null) => (value ? [h('dt', {}, t(label)), h('dd', {}, value)] : []);
  return h('section', { class: 'card editor', 'aria-label': p.full_name },
    h('h2', {}, p.full_name),
    h('dl', { class: 'record' }, ...row('dir.dob', p.date_of_birth), ...row('dir.phone', p.phone), ...row('dir.email', p.email), ...row('dir.note', p.note)));
}

export async function renderPatients(root: HTMLElement, canEdit: boolean, hooks: RecordHooks = { tz: 'UTC', openVisit: async () => undefined }): Promise<void> {
  const search = h('input', { id: 'patients-search', type: 'search', placeholder: t('dir.searchHint'), 'aria-label': t('dir.search') });
  const table = h('tbody');
  const side = h('div', { class: 'record-side' });
  // The record: the form (or, for someone who does not edit patients, the details) and the visits.
  const show = (p: Patient | null, visits: PatientVisits | null) => {
    const form = !canEdit && p ? readOnlyRecord(p) : editor(p ? p.full_name : t('dir.new'), [
      { id: 'p-name', key: 'full_name', label: 'dir.name', value: p?.full_name },
      { id: 'p-email', key: 'email', label: 'dir.email', type: 'email', value: p?.email ?? '' },
      { id: 'p-phone', key: 'phone', label: 'dir.phone', type: 'tel', value: p?.phone ?? '' },
      { id: 'p-dob', key: 'date_of_birth', label: 'dir.dob', type: 'date', value: p?.date_of_birth ?? '' },
      { id: 'p-note', key: 'note', label: 'dir.note', value: p?.note ?? '' },
    ], async (v) => {
      const input = { full_name: String(v['p-name']), email: blank(v['p-email']), phone: blank(v['p-phone']), date_of_birth: blank(v['p-dob']), note: blank(v['p-note']) };
      const saved = p ? await ipc.updatePatient(p.id, input) : await ipc.addPatient(input);
      show(saved, visits);
      if (search.value.trim()) await find();
    });
    side.replaceChildren(form, visits ? visitList(visits, hooks) : '');
  };
  // The record shows the patient as they are now, and their visits, read through the backend's
  // audited reads of one patient (opened together, they are one row of the audit log).
  const open = async (id: number) => {
    try {
      const [patient, visits] = await Promise.all([ipc.patient(id), ipc.patientVisits(id)]);
      show(patient, visits);
    } catch (err) {
      side.replaceChildren(h('p', { class: 'field-error', role: 'alert' }, asAppError(err).message));
    }
  };
  const find = async () => {
    const text = search.value.trim();
    const found = text ? await ipc.findPatients(text).catch(() => []) : [];
    table.replaceChildren(...found.map((p) => h('tr', {},
      h('td', {}, p.full_name), h('td', {}, p.date_of_birth ?? ''), h('td', {}, p.phone ?? ''), h('td', {}, p.email ?? ''),
      h('td', {}, h('button', { type: 'button', class: 'edit-patient', onclick: () => void open(p.id) }, canEdit ? t('dir.edit') : t('dir.open'))))));
  };
  search.addEventListener('input', () => void find());
  root.replaceChildren(h('section', { class: 'directory' },
    h('div', {}, h('div', { class: 'toolbar' }, h('h1', {}, t('nav.patients')), search,
      canEdit ? h('button', { type: 'button', onclick: () => show(null, null) }, t('dir.add')) : null),
    h('table', {}, h('thead', {}, h('tr', {}, ...(['dir.name', 'dir.dob', 'dir.phone', 'dir.email'] as MessageKey[]).map((k) => h('th', { scope: 'col' }, t(k))), h('th', {}, ''))), table)),
    side));
  if (hooks.open == null) { search.focus(); return; }
  await open(hooks.open);
  (side.querySelector<HTMLElement>('input, button') ?? search).focus();
}

export async function renderStaff(root: HTMLElement, tz = 'UTC'): Promise<void> {
  const [staff, holds] = await Promise.all([ipc.listAllStaff(), ipc.signInHolds()]);
  const side = h('div', {});
  // Someone locked out by wrong PINs (or paused now): said in the row, with Unlock beside it.
  const hold = (s: Staff) => {
    const held = (holds ?? []).find((x) => x.staff_id === s.id);
    if (!held) return '';
    const unlock = async () => {
      try {
        await ipc.unlockStaff(s.id);
        await renderStaff(root, tz);
      } catch (err) {
        side.replaceChildren(h('p', { class: 'field-error', role: 'alert' }, asAppError(err).message));
      }
    };
    return h('span', { class: 'sign-in-hold' },
      held.locked || !held.paused_until ? t('dir.locked') : t('dir.pausedUntil', { time: formatTime(held.paused_until, tz) }), ' ',
      h('button', { type: 'button', class: 'unlock', 'data-staff': s.id, onclick: () => void unlock() }, t('dir.unlock')));
  };
  const roles: [Role, string][] = (['receptionist', 'doctor', 'admin'] as Role[]).map((r) => [r, tk(`role.${r}`)]);
  const edit = (s: Staff | null) => side.replaceChildren(editor(s ? s.name : t('dir.new'), [
    { id: 's-name', key: 'name', label: 'dir.name', value: s?.name },
    { id: 's-role', key: 'role', label: 'dir.role', value: s?.role ?? 'receptionist', options: roles },
    { id: 's-active', key: 'active', label: 'dir.active', type: 'checkbox', checked: s?.active ?? true },
    { id: 's-pin', key: 'pin', label: 'dir.newPin', type: 'password' },
  ], async (v) => {
    const input = { name: String(v['s-name']), role: v['s-role'] as Role, active: Boolean(v['s-active']), pin: blank(v['s-pin']) };
    if (s) await ipc.updateStaff(s.id, input); else await ipc.addStaff(input);
    await renderStaff(root, tz);
  }));
  root.replaceChildren(h('section', { class: 'directory' },
    h('div', {}, h('div', { class: 'toolbar' }, h('h1', {}, t('nav.staff')), h('button', { type: 'button', onclick: () => edit(null) }, t('dir.add'))),
      h('table', {}, h('tbody', {}, ...staff.map((s) => h('tr', { class: s.active ? '' : 'muted' },
        h('td', {}, s.name), h('td', {}, tk(`role.${s.role}`)), h('td', {}, s.active ? '' : '—'), h('td', {}, hold(s)),
        h('td', {}, h('button', { type: 'button', onclick: () => edit(s) }, t('dir.edit')))))))),
    side));
}

export async function renderTypes(root: HTMLElement): Promise<void> {
  const types = await ipc.listTypes();
  const side = h('div', {});
  const modes: [Mode, string][] = (['in-person', 'zoom', 'teams'] as Mode[]).map((m) => [m, tk(`mode.${m}`)]);
  const edit = (ty: AppointmentType | null) => side.replaceChildren(editor(ty ? ty.name : t('dir.new'), [
    { id: 't-name', key: 'name', label: 'dir.name', value: ty?.name },
    { id: 't-minutes', key: 'minutes', label: 'dir.minutes', type: 'number', value: String(ty?.minutes ?? 30) },
    { id: 't-mode', key: 'mode', label: 'dir.mode', value: ty?.mode ?? 'in-person', options: modes },
  ], async (v) => {
    const [name, minutes, mode] = [String(v['t-name']), Number(v['t-minutes']), v['t-mode'] as Mode];
    if (ty) await ipc.updateType(ty.id, name, minutes, mode); else await ipc.addType(name, minutes, mode);
    await renderTypes(root);
  }));
  root.replaceChildren(h('section', { class: 'directory' },
    h('div', {}, h('div', { class: 'toolbar' }, h('h1', {}, t('nav.types')), h('button', { type: 'button', onclick: () => edit(null) }, t('dir.add'))),
      h('table', {}, h('tbody', {}, ...types.map((ty) => h('tr', {},
        h('td', {}, ty.name), h('td', {}, `${ty.minutes} min`), h('td', {}, tk(`mode.${ty.mode}`)),
        h('td', {}, h('button', { type: 'button', onclick: () => edit(ty) }, t('dir.edit')))))))),
    side));
}

export async function renderSettings(root: HTMLElement, onSaved: (c: Clinic) => void, openProviders?: () => void): Promise<void> {
  const [c, reminder, copyDays] = await Promise.all([ipc.clinicSettings(), ipc.reminderMinutes(), ipc.copyDays()]);
  const mailTexts = await renderMailTexts(c);
  // The Zoom and Microsoft settings sit beside the connections they serve (Video visits).
  const providers = openProviders ? h('aside', { class: 'card editor' },
    h('h2', {}, t('nav.accounts')),
    h('p', { class: 'muted' }, t('settings.providersMoved')),
    h('button', { type: 'button', id: 'open-provider-settings', onclick: openProviders }, t('settings.openProviders'))) : null;
  // Where this desk keeps the clinic: this computer, or the clinic's server (an admin may change it).
  const [server, sheetFolder] = await Promise.all([ipc.clinicServer(), ipc.daySheetFolder()]);
  // Where this desk writes the day sheets that stand in for the app when it cannot be used.
  const sheets = sheetFolder
    ? h('p', { id: 'day-sheet-folder', class: 'muted' }, t('settings.daySheets'), ': ', h('code', {}, sheetFolder))
    : null;
  const place = h('aside', { class: 'card editor', id: 'clinic-place' },
    h('h2', {}, t('settings.place')),
    h('p', {}, server ? `${t('settings.onServer')} ${server.host}:${server.port}/${server.database} (${server.user})` : t('settings.onComputer')),
    h('button', { type: 'button', id: 'change-server', onclick: () => renderJoin(root, server, null) },
      server ? t('join.change') : t('setup.join')));
  root.replaceChildren(h('section', { class: 'directory' }, editor(t('nav.settings'), [
    { id: 'c-name', key: 'clinic_name', label: 'dir.name', value: c.name },
    { id: 'c-tz', key: 'tz', label: 'setup.tz', value: c.tz },
    { id: 'c-lock', key: 'lock_minutes', label: 'dir.lockMinutes', type: 'number', value: String(c.lock_minutes) },
    { id: 'c-reminder', key: 'reminder_minutes', label: 'dir.reminderMinutes', type: 'number', value: String(reminder) },
    { id: 'c-copy-days', key: 'copy_days', label: 'dir.copyDays', type: 'number', value: String(copyDays) },
    { id: 'c-locale', key: 'locale', label: 'dir.locale', value: c.locale },
    { id: 'c-neutral', key: 'neutral_titles', label: 'dir.neutralTitles', type: 'checkbox', checked: c.neutral_titles },
    { id: 'c-own', key: 'own_patients_only', label: 'dir.ownPatientsOnly', type: 'checkbox', checked: c.own_patients_only },
  ], async (v) => {
    onSaved(await ipc.updateSettings({
      name: String(v['c-name']), tz: String(v['c-tz']), lock_minutes: Number(v['c-lock']), locale: String(v['c-locale']),
      neutral_titles: v['c-neutral'] === true, own_patients_only: v['c-own'] === true,
    }));
    await ipc.setReminderMinutes(Number(v['c-reminder']));
    await ipc.setCopyDays(Number(v['c-copy-days']));
  }), place, sheets, updatesCard(), providers, mailTexts));
  const tz = root.querySelector<HTMLInputElement>('#c-tz');
  if (tz) pickZone(tz, c.tz);
}
