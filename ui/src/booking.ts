// The booking dialog, keyboard first, also used to reschedule a visit. The fields go in the order
// a call goes: patient, type, doctor, day, time. Picking a patient moves on to the type; in the
// type and doctor lists a letter picks the first entry with a word starting with it ("t" for
// Telehealth, "l" for Dr Ada Lee); the day and time take what people say ("tomorrow", "fri",
// "14", "2pm") and ↑/↓ step them; Enter moves on, and books from the time onwards, from the Book
// button, or with Ctrl+Enter anywhere. Tab stays inside the dialog. "First available" lists the
// next free slots for the type and doctor; Alt+1 to Alt+3 takes one. A caller who is not on file
// is added from inside the dialog ("+ New patient"), and the booking goes on.
import { asAppError, ipc } from './ipc';
import type { Appointment, AppointmentType, FreeSlot, Fold, Patient, Staff } from './ipc';
import { h } from './dom';
import { showClock, showDay, parseDay, parseClock, dayIsComplete, clockIsComplete, addDays, addMinutes } from './when';
import { t, tk, wallTime } from './messages';

export interface Slot {
  /** YYYY-MM-DD */
  date: string;
  /** HH:MM */
  time: string;
  doctorId: number | null;
}

/** The visit a reschedule changes: its patient stays, everything else may change. */
export interface Rescheduled {
  id: number;
  patientName: string;
  typeId: number;
}

export interface BookingContext {
  clinicTz: string;
  doctors: Staff[];
  types: AppointmentType[];
  slot: Slot;
  /** Rescheduling this visit instead of booking a new one. */
  reschedule?: Rescheduled;
  /** Booked, or rescheduled when `reschedule` was given. */
  onBooked: (a: Appointment) => void;
  onClose: () => void;
}

const SEARCH_DELAY_MS = 120;
const SLOTS_DELAY_MS = 150;
const FREE_SLOTS_SHOWN = 3;
const TIME_STEP_MIN = 15;
const FIELDS = ['patient', 'type', 'doctor', 'date', 'start', 'tz', 'fold', 'topic', 'newpatient', 'general'] as const;

/** The zones the time zone field offers, the clinic's first. */
function zones(clinicTz: string): string[] {
  const all = (Intl as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.('timeZone') ?? [];
  return [clinicTz, ...all.filter((z) => z !== clinicTz)];
}

/**
 * Type-to-pick on a list: letters typed within a moment of each other pick the first entry with
 * a word that starts with them; the same letter again goes on to the next such entry.
 */
function pickByWord(select: HTMLSelectElement): void {
  let typed = '';
  let at = 0;
  select.addEventListener('keydown', (e) => {
    if (e.key.length !== 1 || e.ctrlKey || e.altKey || e.metaKey || e.key === ' ') return;
    e.preventDefault();
    const now = Date.now();
    const letter = e.key.toLowerCase();
    const again = now - at < 800 && typed === letter;
    typed = now - at < 800 && !again ? typed + letter : letter;
    at = now;
    const options = [...select.options];
    const matches = options.filter((o) => o.text.toLowerCase().split(/[\s·,]+/).some((w) => w.startsWith(typed)));
    if (!matches.length) return;
    const current = matches.indexOf(options[select.selectedIndex]);
    const next = again && current >= 0 ? matches[(current + 1) % matches.length] : matches[0];
    select.value = next.value;
    select.dispatchEvent(new Event('change', { bubbles: true }));
  });
}

export function openBookingDialog(ctx: BookingContext): HTMLElement {
  const moving = ctx.reschedule;
  let chosen: Pick<Patient, 'id' | 'full_name'> | null = moving ? { id: -1, full_name: moving.patientName } : null;
  let results: Patient[] = [];
  let highlighted = 0;
  let searchTimer: ReturnType<typeof setTimeout> | undefined;
  let slotsTimer: ReturnType<typeof setTimeout> | undefined;
  let searchSeq = 0;
  let slotsSeq = 0;
  let slots: FreeSlot[] = [];
  const today = () => wallTime(new Date().toISOString(), ctx.clinicTz).slice(0, 10);

  const errors = Object.fromEntries(FIELDS.map((name) =>
    [name, h('p', { class: 'field-error', id: `book-${name}-error`, role: 'alert', hidden: true })])) as Record<string, HTMLElement>;

  const patientInput = h('input', {
    id: 'book-patient', type: 'search', autocomplete: 'off', role: 'combobox', 'aria-expanded': 'false',
    'aria-controls': 'book-patient-list', 'aria-describedby': 'book-patient-error book-patient-note', placeholder: t('book.patientHint'),
    value: moving?.patientName ?? '', readonly: moving ? true : null,
  });
  const patientNote = h('p', { id: 'book-patient-note', class: 'note', role: 'status' });
  const list = h('ul', { id: 'book-patient-list', role: 'listbox', class: 'typeahead', hidden: true, 'aria-label': t('book.patient') });
  const newPatientButton = h('button', { type: 'button', id: 'book-new-patient', class: 'link', 'aria-keyshortcuts': 'Alt+N' },
    t('book.newPatient'));
  const newName = h('input', { id: 'book-new-name', autocomplete: 'off', maxlength: 200, 'aria-describedby': 'book-newpatient-error' });
  const newPhone = h('input', { id: 'book-new-phone', type: 'tel', autocomplete: 'off', maxlength: 40 });
  const newEmail = h('input', { id: 'book-new-email', type: 'email', autocomplete: 'off', maxlength: 254 });
  const addPatientButton = h('button', { type: 'button', id: 'book-new-add' }, t('book.newPatientAdd'));
  const newPatientBox = h('fieldset', { class: 'new-patient', hidden: true },
    h('legend', {}, t('book.newPatientTitle')),
    h('div', { class: 'row' },
      h('div', { class: 'field' }, h('label', { for: 'book-new-name' }, t('dir.name')), newName),
      h('div', { class: 'field' }, h('label', { for: 'book-new-phone' }, t('dir.phone')), newPhone),
      h('div', { class: 'field' }, h('label', { for: 'book-new-email' }, t('book.newPatientEmail')), newEmail)),
    errors.newpatient,
    h('div', { class: 'actions' }, addPatientButton));

  const typeSelect = h('select', { id: 'book-type', 'aria-describedby': 'book-type-error' },
    ...ctx.types.map((ty) => h('option', { value: ty.id, selected: ty.id === moving?.typeId }, `${ty.name} · ${ty.minutes} min · ${tk(`mode.${ty.mode}`)}`)));
  const doctors = ctx.doctors.filter((d) => d.role === 'doctor');
  const doctorSelect = h('select', { id: 'book-doctor', 'aria-describedby': 'book-doctor-error' },
    ...doctors.map((d) => h('option', { value: d.id, selected: d.id === ctx.slot.doctorId }, d.name)));
  pickByWord(typeSelect);
  pickByWord(doctorSelect);

  // The day and time: what was typed, read as it is typed; the value is what it means.
  let date: string | null = ctx.slot.date;
  let time: string | null = ctx.slot.time;
  const dateInput = h('input', {
    id: 'book-date', autocomplete: 'off', value: showDay(ctx.slot.date), 'aria-describedby': 'book-date-hint book-date-error',
  });
  const dateHint = h('p', { id: 'book-date-hint', class: 'hint' }, t('book.dateHint'));
  const timeInput = h('input', {
    id: 'book-time', autocomplete: 'off', value: showClock(ctx.slot.time), 'aria-describedby': 'book-time-hint book-start-error',
  });
  const timeHint = h('p', { id: 'book-time-hint', class: 'hint' }, t('book.timeHint'));
  const tzInput = h('input', { id: 'book-tz', value: ctx.clinicTz, autocomplete: 'off', list: 'book-tz-zones', 'aria-describedby': 'book-tz-error' });
  const tzList = h('datalist', { id: 'book-tz-zones' }, ...zones(ctx.clinicTz).map((z) => h('option', { value: z })));
  const topicInput = h('input', { id: 'book-topic', maxlength: 500, 'aria-describedby': 'book-topic-error' });
  const foldBox = h('fieldset', { class: 'fold', hidden: true },
    h('legend', {}, t('book.fold')),
    h('label', {}, h('input', { type: 'radio', name: 'fold', value: 'earlier' }), ' ', t('book.foldEarlier')),
    h('label', {}, h('input', { type: 'radio', name: 'fold', value: 'later' }), ' ', t('book.foldLater')),
    errors.fold);
  const confirmation = (id: string, kind: string, label: string) => {
    const box = h('input', { id, type: 'checkbox' });
    return { box, label: h('label', { class: `overlap ${kind}`, hidden: true }, box, ' ', label) };
  };
  const overlap = confirmation('book-overlap', 'double-booking', t('book.overlap'));
  const outside = confirmation('book-outside-hours', 'outside-hours', t('book.outsideHours'));
  const past = confirmation('book-past', 'past', t('book.past'));

  const anyDoctor = h('input', { id: 'book-any-doctor', type: 'checkbox' });
  const slotList = h('ul', { id: 'book-slots', class: 'slots', 'aria-live': 'polite' });
  const slotsBox = h('div', { class: 'free-slots', role: 'group', 'aria-labelledby': 'book-slots-title' },
    h('div', { class: 'slots-head' },
      h('h3', { id: 'book-slots-title' }, t('book.firstAvailable')),
      h('label', {}, anyDoctor, ' ', t('book.anyDoctor'))),
    slotList);

  const submit = h('button', { type: 'submit', class: 'primary', id: 'book-submit', 'aria-keyshortcuts': 'Control+Enter' },
    moving ? t('book.reschedule') : t('book.submit'));

  const close = () => {
    clearTimeout(searchTimer);
    clearTimeout(slotsTimer);
    overlay.remove();
    ctx.onClose();
  };

  const showError = (field: string, message: string) => {
    const target = errors[field] ?? errors.general;
    target.textContent = message;
    target.hidden = false;
  };
  const clearErrors = () => Object.values(errors).forEach((e) => { e.hidden = true; e.textContent = ''; });

  const NEW_OPTION = 'book-patient-new';
  const renderList = () => {
    const text = patientInput.value.trim();
    list.replaceChildren(...results.map((p, i) => h('li', {
      role: 'option', id: `book-patient-${p.id}`, 'aria-selected': i === highlighted ? 'true' : 'false',
      class: i === highlighted ? 'active' : '', onmousedown: (e: Event) => { e.preventDefault(); choose(p); },
    }, h('strong', {}, p.full_name), ' ', h('span', { class: 'muted' }, [p.date_of_birth, p.phone].filter(Boolean).join(' · ')))));
    if (text) {
      // The last entry adds the caller as a new patient, named as typed.
      if (results.length === 0) list.append(h('li', { class: 'muted', role: 'presentation' }, t('book.noMatch')));
      const i = results.length;
      list.append(h('li', {
        role: 'option', id: NEW_OPTION, 'aria-selected': i === highlighted ? 'true' : 'false', class: `new ${i === highlighted ? 'active' : ''}`,
        onmousedown: (e: Event) => { e.preventDefault(); openNewPatient(); },
      }, t('book.newPatientNamed', { name: text })));
    }
    list.hidden = !text;
    patientInput.setAttribute('aria-expanded', String(!list.hidden));
    patientInput.setAttribute('aria-activedescendant', results[highlighted] ? `book-patient-${results[highlighted].id}` : NEW_OPTION);
  };

  const choose = (p: Pick<Patient, 'id' | 'full_name' | 'email'>) => {
    chosen = p;
    patientInput.value = p.full_name;
    results = [];
    list.hidden = true;
    patientInput.setAttribute('aria-expanded', 'false');
    errors.patient.hidden = true;
    patientNote.textContent = p.email?.trim() ? '' : t('book.noEmail');
    typeSelect.focus();
  };

  const openNewPatient = () => {
    const typed = patientInput.value.trim();
    newPatientBox.hidden = false;
    list.hidden = true;
    patientInput.setAttribute('aria-expanded', 'false');
    // What was typed is the name, unless it was a phone number.
    if (/^[\d\s()+-]+$/.test(typed)) { newPhone.value = newPhone.value || typed; } else if (typed) { newName.value = newName.value || typed; }
    (newName.value ? newPhone : newName).focus();
  };

  const addPatient = async () => {
    errors.newpatient.hidden = true;
    addPatientButton.disabled = true;
    try {
      const p = await ipc.addPatient({
        full_name: newName.value.trim(), phone: newPhone.value.trim() || null, email: newEmail.value.trim() || null,
        date_of_birth: null, note: null,
      });
      newPatientBox.hidden = true;
      newName.value = newPhone.value = newEmail.value = '';
      choose(p);
    } catch (e) {
      showError('newpatient', asAppError(e).message);
    } finally {
      addPatientButton.disabled = false;
    }
  };
  newPatientButton.addEventListener('click', openNewPatient);
  addPatientButton.addEventListener('click', () => void addPatient());
  for (const input of [newName, newPhone, newEmail]) {
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.ctrlKey) { e.preventDefault(); e.stopPropagation(); void addPatient(); }
    });
  }

  patientInput.addEventListener('input', () => {
    chosen = null;
    patientNote.textContent = '';
    clearTimeout(searchTimer);
    const text = patientInput.value.trim();
    if (!text) { results = []; renderList(); return; }
    const seq = ++searchSeq;
    searchTimer = setTimeout(async () => {
      try {
        const found = await ipc.findPatients(text);
        if (seq !== searchSeq) return; // a later keystroke won
        results = found;
        highlighted = 0;
        renderList();
      } catch (e) {
        showError('patient', asAppError(e).message);
      }
    }, SEARCH_DELAY_MS);
  });
  patientInput.addEventListener('keydown', (e) => {
    const entries = results.length + (patientInput.value.trim() ? 1 : 0);
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (entries) highlighted = (highlighted + (e.key === 'ArrowDown' ? 1 : entries - 1)) % entries;
      renderList();
    } else if (e.key === 'Enter' && !e.ctrlKey) {
      e.preventDefault();
      e.stopPropagation();
      if (results[highlighted]) choose(results[highlighted]);
      else if (!list.hidden && patientInput.value.trim()) openNewPatient();
      else if (chosen) typeSelect.focus();
    }
  });

  // The day and time fields.
  const readDay = () => {
    date = parseDay(dateInput.value, today());
    dateHint.textContent = date ? `${t('book.means')} ${showDay(date)}` : t('book.dateHint');
    dateInput.setAttribute('aria-invalid', String(!date));
  };
  const readTime = () => {
    time = parseClock(timeInput.value);
    timeHint.textContent = time ? `${t('book.means')} ${showClock(time)}` : t('book.timeHint');
    timeInput.setAttribute('aria-invalid', String(!time));
  };
  dateInput.addEventListener('input', () => {
    readDay();
    if (date && dayIsComplete(dateInput.value)) { dateInput.value = showDay(date); timeInput.focus(); timeInput.select(); }
    scheduleSlots();
  });
  timeInput.addEventListener('input', () => {
    readTime();
    if (time && clockIsComplete(timeInput.value)) { timeInput.value = showClock(time); submit.focus(); }
  });
  dateInput.addEventListener('blur', () => { if (date) dateInput.value = showDay(date); });
  timeInput.addEventListener('blur', () => { if (time) timeInput.value = showClock(time); });
  dateInput.addEventListener('focus', () => dateInput.select());
  timeInput.addEventListener('focus', () => timeInput.select());
  dateInput.addEventListener('keydown', (e) => {
    if (e.key !== 'ArrowUp' && e.key !== 'ArrowDown') return;
    e.preventDefault();
    date = addDays(date ?? today(), e.key === 'ArrowUp' ? 1 : -1);
    dateInput.value = showDay(date);
    readDay();
    scheduleSlots();
  });
  timeInput.addEventListener('keydown', (e) => {
    if (e.key !== 'ArrowUp' && e.key !== 'ArrowDown') return;
    e.preventDefault();
    time = addMinutes(time ?? ctx.slot.time, e.key === 'ArrowUp' ? TIME_STEP_MIN : -TIME_STEP_MIN);
    timeInput.value = showClock(time);
    readTime();
  });

  // First available: the next free slots for the type with this doctor (or any), from the day.
  const doctorName = (id: number) => doctors.find((d) => d.id === id)?.name ?? '';
  const renderSlots = () => {
    slotList.replaceChildren(...slots.map((s, i) => {
      const local = s.local_start.slice(0, 16);
      const label = `${showDay(local.slice(0, 10))} · ${showClock(local.slice(11, 16))}${anyDoctor.checked ? ` · ${doctorName(s.doctor_id)}` : ''}`;
      return h('li', {}, h('button', {
        type: 'button', class: 'slot', 'data-slot': String(i), 'aria-keyshortcuts': `Alt+${i + 1}`, onclick: () => takeSlot(i),
      }, h('kbd', {}, `Alt+${i + 1}`), ' ', label));
    }));
    if (!slots.length) slotList.append(h('li', { class: 'muted' }, t('book.noFreeSlot')));
  };
  const loadSlots = async () => {
    const seq = ++slotsSeq;
    try {
      const found = await ipc.freeSlots({
        type_id: Number(typeSelect.value), doctor_id: anyDoctor.checked ? null : Number(doctorSelect.value) || null,
        from: date && date > today() ? date : null, days: null, count: FREE_SLOTS_SHOWN, part: null,
      });
      if (seq !== slotsSeq) return;
      slots = found;
      renderSlots();
    } catch {
      if (seq === slotsSeq) { slots = []; slotList.replaceChildren(); } // the dialog books without them
    }
  };
  function scheduleSlots() {
    clearTimeout(slotsTimer);
    slotsTimer = setTimeout(() => void loadSlots(), SLOTS_DELAY_MS);
  }
  const takeSlot = (i: number) => {
    const s = slots[i];
    if (!s) return;
    doctorSelect.value = String(s.doctor_id);
    date = s.local_start.slice(0, 10);
    time = s.local_start.slice(11, 16);
    dateInput.value = showDay(date);
    timeInput.value = showClock(time);
    tzInput.value = ctx.clinicTz;
    readDay();
    readTime();
    submit.focus();
  };
  typeSelect.addEventListener('change', scheduleSlots);
  doctorSelect.addEventListener('change', scheduleSlots);
  anyDoctor.addEventListener('change', scheduleSlots);

  const book = async () => {
    clearErrors();
    if (!chosen) { showError('patient', t('book.pickPatient')); patientInput.focus(); return; }
    if (!date) { showError('date', t('book.badDate')); dateInput.focus(); return; }
    if (!time) { showError('start', t('book.badTime')); timeInput.focus(); return; }
    const tz = tzInput.value.trim() || null;
    const at = `${date}T${time}`;
    // A time already gone (on the clinic's clock) is booked only once confirmed.
    if ((!tz || tz === ctx.clinicTz) && at < wallTime(new Date().toISOString(), ctx.clinicTz).slice(0, 16) && !past.box.checked) {
      past.label.hidden = false;
      showError('start', t('book.inPast', { when: `${showDay(date)} ${showClock(time)}` }));
      past.box.focus();
      return;
    }
    const fold = (form.querySelector('input[name=fold]:checked') as HTMLInputElement | null)?.value as Fold | undefined;
    const start = { at, tz, fold: fold ?? null };
    submit.disabled = true;
    try {
      const done = moving
        ? await ipc.reschedule(moving.id, {
          doctor_id: Number(doctorSelect.value), type_id: Number(typeSelect.value), start,
          allow_overlap: overlap.box.checked, allow_outside_hours: outside.box.checked,
        })
        : await ipc.book({
          patient_id: (chosen as Patient).id,
          doctor_id: Number(doctorSelect.value),
          type_id: Number(typeSelect.value),
          start,
          allow_overlap: overlap.box.checked,
          allow_outside_hours: outside.box.checked,
          topic: topicInput.value.trim() || null,
          description: null,
        });
      clearTimeout(slotsTimer);
      overlay.remove();
      ctx.onBooked(done);
    } catch (e) {
      const err = asAppError(e);
      if (err.field === 'fold') foldBox.hidden = false;
      const confirm = err.kind === 'conflict' && err.field === 'start' ? overlap : err.kind === 'outside_hours' ? outside : null;
      if (confirm) confirm.label.hidden = false;
      showError(err.field ?? 'general', err.message);
      (confirm?.box ?? submit).focus();
    } finally {
      submit.disabled = false;
    }
  };

  const labelled = (id: string, label: string, control: HTMLElement, ...extra: (HTMLElement | null)[]) =>
    h('div', { class: 'field' }, h('label', { for: id }, label), control, ...extra);

  const form = h('form', { class: 'booking', novalidate: true },
    h('h2', { id: 'book-title' }, moving ? t('book.rescheduleTitle') : t('book.title')),
    errors.general,
    labelled('book-patient', t('book.patient'), patientInput, list, errors.patient, patientNote, moving ? null : newPatientButton),
    newPatientBox,
    h('div', { class: 'row' },
      labelled('book-type', t('book.type'), typeSelect, errors.type),
      labelled('book-doctor', t('book.doctor'), doctorSelect, errors.doctor)),
    h('div', { class: 'row' },
      labelled('book-date', t('book.date'), dateInput, dateHint, errors.date),
      labelled('book-time', t('book.time'), timeInput, timeHint),
      labelled('book-tz', t('book.tz'), tzInput, tzList, errors.tz)),
    errors.start,
    foldBox,
    overlap.label,
    outside.label,
    past.label,
    slotsBox,
    moving ? null : labelled('book-topic', t('book.topic'), topicInput, errors.topic),
    h('div', { class: 'actions' },
      h('button', { type: 'button', onclick: close }, t('book.cancel')),
      submit));
  form.addEventListener('submit', (e) => { e.preventDefault(); void book(); });

  // Enter moves on through the fields before the time, and books from the time onwards.
  const BOOKS_ON_ENTER = new Set<Element>([timeInput, tzInput, topicInput, submit, overlap.box, outside.box, past.box]);
  const focusable = () => [...form.querySelectorAll<HTMLElement>('input, select, button, [tabindex]')]
    .filter((el) => !(el as HTMLInputElement).disabled && el.tabIndex >= 0 && !el.closest('[hidden]'));
  form.addEventListener('keydown', (e) => {
    const target = e.target as HTMLElement;
    if (e.key === 'Escape') { e.preventDefault(); close(); return; }
    if (e.altKey && /^[1-9]$/.test(e.key)) { e.preventDefault(); takeSlot(Number(e.key) - 1); return; }
    if (e.altKey && e.key.toLowerCase() === 'n' && !moving) { e.preventDefault(); openNewPatient(); return; }
    if (e.key === 'Enter' && e.ctrlKey) { e.preventDefault(); void book(); return; }
    if (e.key === 'Enter' && target.tagName !== 'TEXTAREA') {
      e.preventDefault();
      if (BOOKS_ON_ENTER.has(target)) { void book(); return; }
      if (target.tagName === 'BUTTON') { target.click(); return; }
      const all = focusable();
      all[all.indexOf(target) + 1]?.focus();
      return;
    }
    if (e.key === 'Tab') {
      // Focus stays in the dialog: from the last control Tab goes round to the first.
      const all = focusable();
      const i = all.indexOf(target);
      if (e.shiftKey && i <= 0) { e.preventDefault(); all[all.length - 1]?.focus(); }
      else if (!e.shiftKey && i === all.length - 1) { e.preventDefault(); all[0]?.focus(); }
    }
  });

  const overlay = h('div', { class: 'overlay' },
    h('div', { class: 'dialog', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'book-title' }, form));
  document.body.append(overlay);
  if (moving) doctorSelect.focus(); else patientInput.focus();
  scheduleSlots();
  return overlay;
}

/**
 * Booking from the calendar: the types the dialog offers (read at start and after the types
 * screen), the slot last clicked (the next dialog starts there) and one dialog at a time.
 */
export class Booker {
  types: AppointmentType[] = [];
  private slot: Slot | null = null;
  private dialogOpen = false;

  constructor(private clinicTz: () => string, private onBooked: (a: Appointment, rescheduled: boolean) => void) {}

  /** Whether the dialog is open (single-key shortcuts wait behind it). */
  get open(): boolean {
    return this.dialogOpen;
  }

  /** The slot the next dialog starts at. */
  choose(slot: Slot): void {
    this.slot = slot;
  }

  /** Opens the dialog at the chosen slot, or at `fallback()` when none was. */
  book(doctors: Staff[], fallback: () => Slot): void {
    this.open_(doctors, this.slot ?? fallback());
  }

  /** Opens the dialog on a visit, to change its day, time, doctor or type. */
  reschedule(doctors: Staff[], visit: Rescheduled, at: Slot): void {
    this.open_(doctors, at, visit);
  }

  private open_(doctors: Staff[], slot: Slot, reschedule?: Rescheduled): void {
    if (this.dialogOpen) return;
    this.dialogOpen = true;
    openBookingDialog({
      clinicTz: this.clinicTz(),
      doctors,
      types: this.types,
      slot,
      reschedule,
      onBooked: (a: Appointment) => {
        this.dialogOpen = false;
        this.slot = null;
        this.onBooked(a, reschedule !== undefined);
      },
      onClose: () => { this.dialogOpen = false; },
    });
  }
}
