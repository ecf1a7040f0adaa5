// The start-up benchmark's other references: a bare Tauri window that shows only the calendar,
// with the app's own calendar code and styles, given a page of ten doctors and their 150
// appointments from constants (floor.html), or the same doctors with none (floor-empty.html):
// no sign-in, no database, no round trip. Its first paint is the least any app could take to
// show that page with this calendar in this webview.
import { invoke } from '@tauri-apps/api/core';
import './style.css';
import { ScheduleCalendar } from './calendar';
import type { DaySheet, DaySheetRow } from './ipc';

const DOCTORS = 10;
const PER_DOCTOR = Number(document.body.dataset.perDoctor ?? 15);
const date = new Date().toISOString().slice(0, 10);
const at = (minutes: number) => `${date}T${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}:00Z`;

const doctors = Array.from({ length: DOCTORS }, (_, d) => ({ id: d + 2, name: `Dr ${String(d + 1).padStart(2, '0')}`, role: 'doctor' as const, has_pin: false, active: true }));
const appointments: DaySheetRow[] = doctors.flatMap((doctor, d) => Array.from({ length: PER_DOCTOR }, (_, k) => {
  const id = d * PER_DOCTOR + k + 1;
  const start = 8 * 60 + 30 * k;
  return {
    id, patient_id: 1 + (id % 60), doctor_id: doctor.id, type_id: 1,
    start: at(start), end: at(start + 30), tz: 'UTC', local_start: at(start), local_end: at(start + 30),
    duration_minutes: 30, topic: null, description: null, status: 'booked' as const, cancel_reason: null,
    meeting: { provider: 'zoom' as const, state: 'pending' as const, waiting: 'not_connected' as const, due: null, join_url: null, error: null },
    type_name: 'Consult', mode: 'zoom' as const, doctor_name: doctor.name, patient_name: `Patient ${String(1 + (id % 60)).padStart(3, '0')}`, outside_hours: false,
  };
}));
const sheet: DaySheet = { clinic_name: 'Benchmark Clinic', tz: 'UTC', date, days: 1, doctors, appointments, busy: [], may_book: true };

const root = document.getElementById('calendar');
if (root) {
  root.style.height = '100vh';
  const calendar = new ScheduleCalendar(root, 'UTC', 'en', {
    onSelectSlot: () => undefined, onOpenAppointment: () => undefined, onError: () => undefined, onMoved: () => undefined, onMoveToDoctor: () => undefined,
  });
  calendar.show(sheet, 'day');
}
const screen = PER_DOCTOR ? 'floor' : 'floorempty';
requestAnimationFrame(() => requestAnimationFrame(() => void invoke('ui_painted', { screen })));
