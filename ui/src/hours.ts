// The admins' Hours screen: the clinic's opening hours, each doctor's week from a date, and the
// exceptions (days off, the clinic's holidays, a doctor's extra hours) with their list. Each
// day's hours are typed as the command line takes them (`09:00-12:00, 13:00-17:00`) and the core
// reads them: a refusal comes back naming its field (a weekday, the date, the doctor) and is shown
// beside it, with everything typed left as it was.
import { asAppError, ipc } from './ipc';
import type { Block, Day, DayText, ExceptionKind, Hours, HoursException, WeekHours } from './ipc';
import { h } from './dom';
import { formatDate, t, tk, wallTime } from './messages';
import type { MessageKey } from './messages';

const DAYS: Day[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

type Control = HTMLInputElement | HTMLSelectElement;

/** `HH:MM` for minutes since midnight. */
function clock(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}

/** Blocks as they are typed: `09:00-12:00, 13:00-17:00`. */
export function blocksText(blocks: Block[]): string {
  return blocks.map((b) => `${clock(b.start_minute)}-${clock(b.end_minute)}`).join(', ');
}

function dayText(week: WeekHours | null | undefined, day: Day): string {
  return blocksText(week?.days.find((d) => d.day === day)?.blocks ?? []);
}

/**
 * A form's boxes with an error line under each, and a line under the form for a refusal that
 * names none of them. `show` puts a refusal where its `field` says; `clear` empties them all.
 */
class FormErrors {
  readonly message = h('p', { role: 'status', class: 'muted' });
  private errors = new Map<string, { control: Control; line: HTMLElement }>();

  /** The labelled box with its error line; `keys` are the `field` names the backend gives it. */
  field(control: Control, label: string, keys: string[], hint?: string): HTMLElement {
    const line = h('p', { class: 'field-error', id: `${control.id}-error`, hidden: true });
    const hintLine = hint ? h('p', { class: 'muted hint', id: `${control.id}-hint` }, hint) : null;
    control.setAttribute('aria-describedby', [line.id, hintLine?.id].filter(Boolean).join(' '));
    for (const key of keys) this.errors.set(key, { control, line });
    return h('div', { class: 'field' }, h('label', { for: control.id }, label), control, hintLine, line);
  }

  clear(): void {
    for (const { control, line } of this.errors.values()) {
      line.hidden = true;
      line.textContent = '';
      control.removeAttribute('aria-invalid');
    }
    this.message.className = 'muted';
    this.message.textContent = '';
  }

  done(text: string): void {
    this.message.className = 'muted';
    this.message.textContent = text;
  }

  show(e: unknown): void {
    const error = asAppError(e);
    const at = error.field === null ? undefined : this.errors.get(error.field);
    if (at) {
      at.line.textContent = error.message;
      at.line.hidden = false;
      at.control.setAttribute('aria-invalid', 'true');
      at.control.focus();
    } else {
      this.message.className = 'field-error';
      this.message.textContent = error.message;
    }
  }

  /** Runs `action` with the errors cleared first and the refusal shown after; true when it went. */
  async run(action: () => Promise<unknown>, said: string): Promise<boolean> {
    this.clear();
    try {
      await action();
      this.done(said);
      return true;
    } catch (e) {
      this.show(e);
      return false;
    }
  }
}

/** Seven boxes, one per weekday, named by its `mon`...`sun` field. */
function weekBoxes(prefix: string, errors: FormErrors): { boxes: Map<Day, HTMLInputElement>; fields: HTMLElement } {
  const boxes = new Map<Day, HTMLInputElement>();
  const fields = h('div', { class: 'week-fields' }, ...DAYS.map((day) => {
    const box = h('input', { id: `${prefix}-${day}`, type: 'text', autocomplete: 'off', placeholder: '09:00-12:00, 13:00-17:00' });
    boxes.set(day, box);
    return errors.field(box, tk(`day.${day}`), [day]);
  }));
  return { boxes, fields };
}

function weekOf(boxes: Map<Day, HTMLInputElement>): DayText[] {
  return DAYS.map((day) => ({ day, text: boxes.get(day)?.value ?? '' }));
}

function fill(boxes: Map<Day, HTMLInputElement>, week: WeekHours | null | undefined): void {
  for (const day of DAYS) {
    const box = boxes.get(day);
    if (box) box.value = dayText(week, day);
  }
}

/** The week in words for a list: `Monday 09:00-12:00, 13:00-17:00 · Tuesday …`. */
function weekSummary(week: WeekHours): string {
  return week.days.map((d) => `${tk(`day.${d.day}`)} ${blocksText(d.blocks)}`).join(' · ');
}

/** The Hours screen; `tz` is the clinic's zone (today's date there starts a doctor's week). */
export async function renderHours(root: HTMLElement, tz: string): Promise<void> {
  const [entered, staff] = await Promise.all([ipc.hours(), ipc.listStaff()]);
  let hours: Hours = entered;
  const doctors = staff.filter((s) => s.role === 'doctor');
  const name = (id: number | null) => (id === null ? t('hours.holiday') : doctors.find((d) => d.id === id)?.name ?? `#${id}`);
  const today = wallTime(new Date().toISOString(), tz).slice(0, 10);

  // The clinic's opening hours.
  const clinicErrors = new FormErrors();
  const clinicWeek = weekBoxes('ch', clinicErrors);
  fill(clinicWeek.boxes, hours.clinic);
  const clinicState = h('p', { class: 'muted', id: 'clinic-hours-state' });
  const showClinic = () => { clinicState.textContent = hours.clinic ? '' : t('hours.clinicNone'); };
  const clear = h('button', { type: 'button', id: 'clinic-hours-clear' }, t('hours.clinicClear'));
  const clinicForm = h('form', { class: 'card editor hours-form', id: 'clinic-hours', 'aria-labelledby': 'clinic-hours-title', novalidate: true },
    h('h2', { id: 'clinic-hours-title' }, t('hours.clinic')),
    h('p', { class: 'muted' }, t('hours.clinicHint')),
    clinicState, clinicWeek.fields, clinicErrors.message,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('dir.save')), clear));
  clinicForm.addEventListener('submit', (e) => {
    e.preventDefault();
    void clinicErrors.run(async () => { hours = await ipc.setClinicHours(weekOf(clinicWeek.boxes)); showClinic(); }, t('dir.saved'));
  });
  clear.addEventListener('click', () => void clinicErrors.run(async () => {
    hours = await ipc.clearClinicHours();
    fill(clinicWeek.boxes, null);
    showClinic();
  }, t('hours.removed')));

  // A doctor's week from a date.
  const doctorErrors = new FormErrors();
  const doctor = h('select', { id: 'dh-doctor' }, ...doctors.map((d) => h('option', { value: d.id }, d.name)));
  const from = h('input', { id: 'dh-from', type: 'date', value: today });
  const doctorWeek = weekBoxes('dh', doctorErrors);
  // The week in effect on the chosen date, to start from (a doctor newly chosen; never what is typed).
  const current = () => {
    const id = Number(doctor.value);
    const weeks = hours.doctors.filter((w) => w.doctor_id === id && w.effective_from <= (from.value || today));
    return weeks[weeks.length - 1]?.week ?? null;
  };
  fill(doctorWeek.boxes, current());
  doctor.addEventListener('change', () => fill(doctorWeek.boxes, current()));
  const weeks = h('ul', { class: 'hours-list', id: 'doctor-weeks', 'aria-label': t('hours.weeks') });
  const doctorForm = h('form', { class: 'card editor hours-form', id: 'doctor-hours', 'aria-labelledby': 'doctor-hours-title', novalidate: true },
    h('h2', { id: 'doctor-hours-title' }, t('hours.doctor')),
    h('p', { class: 'muted' }, t('hours.doctorHint')),
    doctorErrors.field(doctor, t('hours.whichDoctor'), ['doctor']),
    doctorErrors.field(from, t('hours.from'), ['from']),
    doctorWeek.fields, doctorErrors.message,
    h('button', { type: 'submit', class: 'primary' }, t('dir.save')),
    h('h3', {}, t('hours.weeks')), weeks);
  doctorForm.addEventListener('submit', (e) => {
    e.preventDefault();
    void doctorErrors.run(async () => {
      hours = await ipc.setDoctorHours(Number(doctor.value), from.value, weekOf(doctorWeek.boxes));
      showWeeks();
    }, t('dir.saved'));
  });
  const showWeeks = () => {
    weeks.replaceChildren(...(hours.doctors.length ? hours.doctors.map((w) => {
      const label = t('hours.weekFrom', { name: name(w.doctor_id), date: formatDate(w.effective_from) });
      return h('li', { 'data-doctor': w.doctor_id, 'data-from': w.effective_from },
        h('span', {}, `${label}: ${w.week.days.length ? weekSummary(w.week) : t('hours.notWorked')}`), ' ',
        h('button', { type: 'button', class: 'edit-week', 'aria-label': `${t('dir.edit')}: ${label}`, onclick: () => {
          doctor.value = String(w.doctor_id);
          from.value = w.effective_from;
          fill(doctorWeek.boxes, w.week);
          doctorWeek.boxes.get('mon')?.focus();
        } }, t('dir.edit')), ' ',
        h('button', { type: 'button', class: 'remove-week', 'aria-label': `${t('hours.remove')}: ${label}`, onclick: () => void doctorErrors.run(async () => {
          hours = await ipc.removeDoctorHours(w.doctor_id, w.effective_from);
          showWeeks();
        }, t('hours.removed')) }, t('hours.remove')));
    }) : [h('li', { class: 'muted' }, t('hours.weeksNone'))]));
  };

  // Days off, holidays and extra hours.
  const exErrors = new FormErrors();
  const whose = h('select', { id: 'ex-whose' }, h('option', { value: '' }, t('hours.wholeClinic')),
    ...doctors.map((d) => h('option', { value: d.id }, d.name)));
  const kind = h('select', { id: 'ex-kind' }, ...(['off', 'extra'] as ExceptionKind[]).map((k) => h('option', { value: k }, tk(`hours.kind.${k}`))));
  const first = h('input', { id: 'ex-date', type: 'date', value: today });
  const last = h('input', { id: 'ex-to', type: 'date' });
  const extra = h('input', { id: 'ex-hours', type: 'text', autocomplete: 'off', placeholder: '17:00-19:00' });
  const label = h('input', { id: 'ex-label', type: 'text', autocomplete: 'off' });
  const lastField = exErrors.field(last, t('hours.lastDay'), ['to']);
  const extraField = exErrors.field(extra, t('hours.extraHours'), ['hours', 'start']);
  // Only what the kind takes is shown: several days for days off, hours for extra hours.
  const showKind = () => { lastField.hidden = kind.value !== 'off'; extraField.hidden = kind.value !== 'extra'; };
  kind.addEventListener('change', showKind);
  showKind();
  const list = h('tbody', { id: 'hours-exceptions' });
  const exForm = h('form', { class: 'card editor hours-form', id: 'hours-exception', 'aria-labelledby': 'hours-exception-title', novalidate: true },
    h('h2', { id: 'hours-exception-title' }, t('hours.exceptions')),
    h('p', { class: 'muted' }, t('hours.exceptionsHint')),
    exErrors.field(whose, t('hours.whose'), ['doctor']),
    exErrors.field(kind, t('hours.kind'), ['kind']),
    exErrors.field(first, t('hours.firstDay'), ['date']),
    lastField, extraField,
    exErrors.field(label, t('hours.label'), ['label']),
    exErrors.message,
    h('button', { type: 'submit', class: 'primary' }, t('dir.add')));
  exForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const off = kind.value === 'off';
    void exErrors.run(async () => {
      const added = await ipc.addHoursException({
        doctor_id: whose.value ? Number(whose.value) : null, kind: kind.value as ExceptionKind, date: first.value,
        to: off && last.value ? last.value : null, hours: off ? null : extra.value, label: label.value.trim() || null,
      });
      hours = { ...hours, exceptions: [...hours.exceptions, added].sort((a, b) => a.first_day.localeCompare(b.first_day)) };
      showExceptions();
    }, t('hours.added'));
  });
  const when = (x: HoursException) =>
    x.first_day === x.last_day ? formatDate(x.first_day) : `${formatDate(x.first_day)} – ${formatDate(x.last_day)}`;
  const what = (x: HoursException) =>
    x.kind === 'extra' && x.block ? `${t('hours.kind.extra')} ${blocksText([x.block])}` : x.doctor_id === null ? t('hours.holiday') : t('hours.kind.off');
  const showExceptions = () => {
    list.replaceChildren(...(hours.exceptions.length ? hours.exceptions.map((x) => h('tr', { 'data-exception': x.id },
      h('td', {}, x.doctor_id === null ? t('hours.wholeClinic') : name(x.doctor_id)),
      h('td', {}, what(x)), h('td', {}, when(x)), h('td', {}, x.label ?? ''),
      h('td', {}, h('button', { type: 'button', class: 'remove-exception', 'aria-label': `${t('hours.remove')}: ${what(x)}, ${when(x)}`,
        onclick: () => void exErrors.run(async () => {
          await ipc.removeHoursException(x.id);
          hours = { ...hours, exceptions: hours.exceptions.filter((y) => y.id !== x.id) };
          showExceptions();
        }, t('hours.removed')) }, t('hours.remove')))))
      : [h('tr', {}, h('td', { class: 'muted', colspan: 5 }, t('hours.exceptionsNone')))]));
  };

  showClinic();
  showWeeks();
  showExceptions();
  const head = (key: MessageKey) => h('th', { scope: 'col' }, t(key));
  root.replaceChildren(h('section', { class: 'hours-screen', 'aria-labelledby': 'hours-title' },
    h('h1', { id: 'hours-title' }, t('nav.hours')),
    clinicForm, doctorForm,
    h('div', { class: 'hours-exceptions-part' }, exForm,
      h('table', { class: 'hours-exceptions', 'aria-label': t('hours.exceptions') },
        h('thead', {}, h('tr', {}, head('hours.whose'), head('hours.kind'), head('hours.firstDay'), head('hours.label'), h('td', {}))),
        list))));
}
