// The printable day sheet: the fallback when the screens cannot be used (an outage, a power cut
// ahead). One plain table of the day for every doctor, in a section only print shows
// (style.css hides the rest of the app in print).
import type { DaySheet } from './ipc';
import { h } from './dom';
import { formatDate, formatTime, t, tk } from './messages';
import type { MessageKey } from './messages';

/** The day's appointments for every doctor, by start time (then the doctors' order), as a table. */
export function daySheetTable(sheet: DaySheet, date: string): HTMLElement {
  const order = new Map(sheet.doctors.map((d, i) => [d.id, i]));
  const rows = sheet.appointments
    .filter((a) => a.local_start.slice(0, 10) === date)
    .sort((a, b) => Date.parse(a.start) - Date.parse(b.start) || (order.get(a.doctor_id) ?? 0) - (order.get(b.doctor_id) ?? 0));
  const head = (['print.time', 'print.doctor', 'print.patient', 'print.type', 'print.mode', 'print.status'] as MessageKey[])
    .map((k) => h('th', { scope: 'col' }, t(k)));
  return h('section', { id: 'print-sheet', class: 'print-sheet' },
    h('h1', {}, `${sheet.clinic_name} · ${formatDate(date)}`),
    rows.length ? h('table', {}, h('thead', {}, h('tr', {}, ...head)), h('tbody', {}, ...rows.map((a) => h('tr', {},
      h('td', {}, formatTime(a.start, sheet.tz)), h('td', {}, a.doctor_name), h('td', {}, a.patient_name),
      h('td', {}, a.type_name), h('td', {}, tk(`mode.${a.mode}`)), h('td', {}, tk(`status.${a.status}`))))))
      : h('p', {}, t('print.empty')));
}

/** Puts the day sheet in the page (replacing an earlier one) and opens the print dialog. */
export function printDaySheet(sheet: DaySheet, date: string): void {
  document.getElementById('print-sheet')?.remove();
  document.body.append(daySheetTable(sheet, date));
  window.print();
}
