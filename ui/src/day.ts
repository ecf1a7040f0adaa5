// The read-only day sheet: one column per doctor, appointments in start order.
import type { AppError, DayView } from './ipc';
import { t } from './messages';

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

function hhmm(rfc3339: string): string {
  return rfc3339.slice(11, 16);
}

export function renderDay(root: HTMLElement, view: DayView): void {
  root.replaceChildren();
  const header = el('header', 'day-header');
  header.append(el('h1', undefined, view.clinic_name), el('p', 'day-date', t('dayHeading', { date: view.date, tz: view.tz })));
  root.append(header);
  if (view.doctors.length === 0) {
    root.append(el('p', 'empty', t('noDoctors')));
    return;
  }
  const grid = el('section', 'day-grid');
  grid.setAttribute('aria-label', t('dayHeading', { date: view.date, tz: view.tz }));
  for (const doctor of view.doctors) {
    const column = el('section', 'doctor-column');
    column.append(el('h2', undefined, doctor.name));
    const list = el('ol', 'appointments');
    const mine = view.appointments.filter((a) => a.doctor_id === doctor.id);
    if (mine.length === 0) list.append(el('li', 'empty', t('free')));
    for (const a of mine) {
      const item = el('li', `appointment status-${a.status} mode-${a.mode}`);
      item.dataset.id = String(a.id);
      const zone = a.tz === view.tz ? '' : ` (${a.tz})`;
      item.append(
        el('span', 'time', `${hhmm(a.local_start)}–${hhmm(a.local_end)}${zone}`),
        el('span', 'patient', a.patient_name),
        el('span', 'type', a.type_name),
        el('span', 'status', t(`status.${a.status}`)),
      );
      list.append(item);
    }
    column.append(list);
    grid.append(column);
  }
  root.append(grid);
}

export function renderError(root: HTMLElement, error: AppError): void {
  root.replaceChildren();
  const box = el('section', `error error-${error.kind}`);
  box.setAttribute('role', 'alert');
  box.append(el('h1', undefined, t(`error.${error.kind}`)), el('p', undefined, error.message));
  root.append(box);
}
