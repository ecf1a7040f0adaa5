// The booking dialog: keyboard first. With a slot selected, a booking for a found patient is
// "n", two letters of the name, Enter (pick), Enter (book). Picking a patient without an e-mail
// address says, calmly, that they will not get an invitation (booking goes ahead as usual).
// `Booker` opens it from the calendar.
import { asAppError, ipc } from './ipc';
import type { Appointment, AppointmentType, Fold, Patient, Staff } from './ipc';
import { h } from './dom';
import { t, tk } from './messages';

export interface Slot {
  /** YYYY-MM-DD */
  date: string;
  /** HH:MM */
  time: string;
  doctorId: number | null;
}

export interface BookingContext {
  clinicTz: string;
  doctors: Staff[];
  types: AppointmentType[];
  slot: Slot;
  onBooked: (a: Appointment) => void;
  onClose: () => void;
}

const SEARCH_DELAY_MS = 120;
const FIELDS = ['patient', 'type', 'doctor', 'start', 'tz', 'fold', 'topic', 'general'] as const;

export function openBookingDialog(ctx: BookingContext): HTMLElement {
  let chosen: Patient | null = null;
  let results: Patient[] = [];
  let highlighted = 0;
  let searchTimer: ReturnType<typeof setTimeout> | undefined;
  let searchSeq = 0;

  const errors = Object.fromEntries(FIELDS.map((name) =>
    [name, h('p', { class: 'field-error', id: `book-${name}-error`, role: 'alert', hidden: true })])) as Record<string, HTMLElement>;

  const patientInput = h('input', {
    id: 'book-patient', type: 'search', autocomplete: 'off', role: 'combobox', 'aria-expanded': 'false',
    'aria-controls': 'book-patient-list', 'aria-describedby': 'book-patient-error book-patient-note', placeholder: t('book.patientHint'),
  });
  const patientNote = h('p', { id: 'book-patient-note', class: 'note', role: 'status' });
  const list = h('ul', { id: 'book-patient-list', role: 'listbox', class: 'typeahead', hidden: true, 'aria-label': t('book.patient') });
  const typeSelect = h('select', { id: 'book-type', 'aria-describedby': 'book-type-error' },
    ...ctx.types.map((ty) => h('option', { value: ty.id }, `${ty.name} · ${ty.minutes} min · ${tk(`mode.${ty.mode}`)}`)));
  const doctors = ctx.doctors.filter((d) => d.role === 'doctor');
  const doctorSelect = h('select', { id: 'book-doctor', 'aria-describedby': 'book-doctor-error' },
    ...doctors.map((d) => h('option', { value: d.id, selected: d.id === ctx.slot.doctorId }, d.name)));
  const dateInput = h('input', { id: 'book-date', type: 'date', value: ctx.slot.date, required: true });
  const timeInput = h('input', { id: 'book-time', type: 'time', step: 300, value: ctx.slot.time, required: true, 'aria-describedby': 'book-start-error' });
  const tzInput = h('input', { id: 'book-tz', value: ctx.clinicTz, autocomplete: 'off', 'aria-describedby': 'book-tz-error' });
  const topicInput = h('input', { id: 'book-topic', maxlength: 500, 'aria-describedby': 'book-topic-error' });
  const foldBox = h('fieldset', { class: 'fold', hidden: true },
    h('legend', {}, t('book.fold')),
    h('label', {}, h('input', { type: 'radio', name: 'fold', value: 'earlier' }), ' ', t('book.foldEarlier')),
    h('label', {}, h('input', { type: 'radio', name: 'fold', value: 'later' }), ' ', t('book.foldLater')),
    errors.fold);
  const overlapBox = h('input', { id: 'book-overlap', type: 'checkbox' });
  const overlapLabel = h('label', { class: 'overlap', hidden: true }, overlapBox, ' ', t('book.overlap'));
  const outsideBox = h('input', { id: 'book-outside-hours', type: 'checkbox' });
  const outsideLabel = h('label', { class: 'overlap outside-hours', hidden: true }, outsideBox, ' ', t('book.outsideHours'));
  const submit = h('button', { type: 'submit', class: 'primary', id: 'book-submit' }, t('book.submit'));

  const close = () => {
    clearTimeout(searchTimer);
    overlay.remove();
    ctx.onClose();
  };

  const showError = (field: string, message: string) => {
    const target = errors[field] ?? errors.general;
    target.textContent = message;
    target.hidden = false;
  };
  const clearErrors = () => Object.values(errors).forEach((e) => { e.hidden = true; e.textContent = ''; });

  const renderList = () => {
    list.replaceChildren(...results.map((p, i) => h('li', {
      role: 'option', id: `book-patient-${p.id}`, 'aria-selected': i === highlighted ? 'true' : 'false',
      class: i === highlighted ? 'active' : '', onmousedown: (e: Event) => { e.preventDefault(); choose(p); },
    }, h('strong', {}, p.full_name), ' ', h('span', { class: 'muted' }, [p.date_of_birth, p.phone].filter(Boolean).join(' · ')))));
    if (results.length === 0 && patientInput.value.trim()) list.append(h('li', { class: 'muted' }, t('book.noMatch')));
    list.hidden = results.length === 0 && !patientInput.value.trim();
    patientInput.setAttribute('aria-expanded', String(!list.hidden));
    if (results[highlighted]) patientInput.setAttribute('aria-activedescendant', `book-patient-${results[highlighted].id}`);
  };

  const choose = (p: Patient) => {
    chosen = p;
    patientInput.value = p.full_name;
    results = [];
    list.hidden = true;
    patientInput.setAttribute('aria-expanded', 'false');
    errors.patient.hidden = true;
    patientNote.textContent = p.email?.trim() ? '' : t('book.noEmail');
    submit.focus();
  };

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
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (results.length) highlighted = (highlighted + (e.key === 'ArrowDown' ? 1 : results.length - 1)) % results.length;
      renderList();
    } else if (e.key === 'Enter') {
      e.preventDefault();
      e.stopPropagation();
      if (results[highlighted]) choose(results[highlighted]);
      else if (chosen) void book();
    }
  });

  const book = async () => {
    clearErrors();
    if (!chosen) { showError('patient', t('book.pickPatient')); patientInput.focus(); return; }
    const fold = (form.querySelector('input[name=fold]:checked') as HTMLInputElement | null)?.value as Fold | undefined;
    submit.disabled = true;
    try {
      const booked = await ipc.book({
        patient_id: chosen.id,
        doctor_id: Number(doctorSelect.value),
        type_id: Number(typeSelect.value),
        start: { at: `${dateInput.value}T${timeInput.value}`, tz: tzInput.value.trim() || null, fold: fold ?? null },
        allow_overlap: overlapBox.checked,
        allow_outside_hours: outsideBox.checked,
        topic: topicInput.value.trim() || null,
        description: null,
      });
      overlay.remove();
      ctx.onBooked(booked);
    } catch (e) {
      const err = asAppError(e);
      if (err.field === 'fold') foldBox.hidden = false;
      if (err.kind === 'conflict' && err.field === 'start') overlapLabel.hidden = false;
      if (err.kind === 'outside_hours') outsideLabel.hidden = false;
      showError(err.field ?? 'general', err.message);
    } finally {
      submit.disabled = false;
    }
  };

  const labelled = (id: string, label: string, control: HTMLElement, ...extra: HTMLElement[]) =>
    h('div', { class: 'field' }, h('label', { for: id }, label), control, ...extra);

  const form = h('form', { class: 'booking', novalidate: true },
    h('h2', { id: 'book-title' }, t('book.title')),
    errors.general,
    labelled('book-patient', t('book.patient'), patientInput, list, errors.patient, patientNote),
    h('div', { class: 'row' },
      labelled('book-type', t('book.type'), typeSelect, errors.type),
      labelled('book-doctor', t('book.doctor'), doctorSelect, errors.doctor)),
    h('div', { class: 'row' },
      labelled('book-date', t('book.date'), dateInput),
      labelled('book-time', t('book.time'), timeInput),
      labelled('book-tz', t('book.tz'), tzInput, errors.tz)),
    errors.start,
    foldBox,
    overlapLabel,
    outsideLabel,
    labelled('book-topic', t('book.topic'), topicInput, errors.topic),
    h('div', { class: 'actions' },
      h('button', { type: 'button', onclick: close }, t('book.cancel')),
      submit));
  form.addEventListener('submit', (e) => { e.preventDefault(); void book(); });
  form.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') { e.preventDefault(); close(); return; }
    // Enter books from anywhere in the dialog (the patient search handles its own Enter).
    if (e.key === 'Enter' && e.target !== patientInput && (e.target as HTMLElement).tagName !== 'TEXTAREA') {
      e.preventDefault();
      void book();
    }
  });

  const overlay = h('div', { class: 'overlay' },
    h('div', { class: 'dialog', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'book-title' }, form));
  document.body.append(overlay);
  patientInput.focus();
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

  constructor(private clinicTz: () => string, private onBooked: (a: Appointment) => void) {}

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
    if (this.dialogOpen) return;
    this.dialogOpen = true;
    openBookingDialog({
      clinicTz: this.clinicTz(),
      doctors,
      types: this.types,
      slot: this.slot ?? fallback(),
      onBooked: (a: Appointment) => {
        this.dialogOpen = false;
        this.slot = null;
        this.onBooked(a);
      },
      onClose: () => { this.dialogOpen = false; },
    });
  }
}
