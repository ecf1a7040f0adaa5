// The start-up benchmark's other references: a bare Tauri window that shows only the calendar,
// with the app's own calendar code and styles, given a page of ten doctors and their 150
// appointments from constants (floor.html), or the same doctors with none (floor-empty.html):
// no sign-in, no database, no round trip. Its first paint is the least any app could take to
// show that page with this widget in this webview.
import { invoke } from '@tauri-apps/api/core';
import './style.css';
import { ScheduleCalendar } from './calendar';
import type { DaySheet, DaySheetRow } from './ipc';
import { h } from './dom';
import { statusMark } from './legend';
import { meetingBadge, meetingMark } from './meeting';

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
if (root && document.body.dataset.variant === 'own') {
  root.style.height = '100vh';
  drawOwnGrid(root, sheet);
} else if (root) {
  root.style.height = '100vh';
  const calendar = new ScheduleCalendar(root, 'UTC', 'en', { onSelectSlot: () => undefined, onOpenAppointment: () => undefined, onError: () => undefined, onMoved: () => undefined });
  // The alternatives ADR 0025 weighs: only the hours with visits (8:00 to 16:00 here) instead of
  // the whole day, or each visit's text without its marks and badges (and, above, no widget).
  const kind = document.body.dataset.variant;
  if (kind === 'hours') calendar.tune({ slotMinTime: '07:00', slotMaxTime: '17:00', scrollTime: '07:00' });
  if (kind === 'plain') calendar.tune({ eventContent: (info: { event: { title: unknown } }) => String(info.event.title) });
  calendar.show(sheet, 'day');
}
const screen = variant() ?? (PER_DOCTOR ? 'floor' : 'floorempty');
requestAnimationFrame(() => requestAnimationFrame(() => void invoke('ui_painted', { screen })));

function variant(): string | null {
  const v = document.body.dataset.variant;
  return v ? `floor${v}` : null;
}

/**
 * ADR 0025's last alternative, measured only: the same page drawn without the widget, as plain
 * positioned elements (a header row, a time gutter, one column per doctor, each visit placed by
 * its minutes at the widget's 24 px per quarter hour, with the app's own content in each).
 */
function drawOwnGrid(root: HTMLElement, day: DaySheet): void {
  const px = (minutes: number) => `${(minutes * 24) / 15}px`;
  const minutesOf = (iso: string) => Number(iso.slice(11, 13)) * 60 + Number(iso.slice(14, 16));
  const clock = (m: number) => `${Math.floor(m / 60)}:${String(m % 60).padStart(2, '0')}`;
  const head = h('div', { class: 'own-head' }, h('div', { class: 'own-gutter' }),
    ...day.doctors.map((d) => h('div', { class: 'own-col-head' }, d.name)));
  const gutter = h('div', { class: 'own-gutter' }, ...Array.from({ length: 24 }, (_, hr) => {
    const label = h('div', { class: 'own-hour' }, `${hr}:00`);
    label.style.cssText = `position:absolute;top:${px(hr * 60)}`;
    return label;
  }));
  const columns = day.doctors.map((d) => {
    const col = h('div', { class: 'own-col' }, ...day.appointments.filter((a) => a.doctor_id === d.id).map((a) => {
      const from = minutesOf(a.start);
      const to = minutesOf(a.end);
      const time = h('time', { class: 'ec-event-time' }, `${clock(from)} – ${clock(to)}`);
      const el = h('div', { class: `ec-event status-${a.status} mode-${a.mode}`, role: 'button', tabindex: '0' },
        h('div', { class: 'event-body', title: `${a.patient_name} · ${a.type_name}` },
          h('div', { class: 'event-line' }, statusMark(a.status), h('strong', { class: 'event-name' }, a.patient_name), ' ', time,
            a.meeting ? meetingMark(a.meeting) : ''),
          h('div', { class: 'event-more' }, a.type_name, a.meeting ? ' ' : '', a.meeting ? meetingBadge(a.meeting) : '')));
      el.style.cssText = `position:absolute;left:2px;right:2px;top:${px(from)};height:${px(to - from)};overflow:hidden`;
      return el;
    }));
    col.style.cssText = 'position:relative;flex:1;border-left:1px solid #ddd;background:repeating-linear-gradient(#fff 0 23px,#eee 23px 24px)';
    return col;
  });
  const body = h('div', { class: 'own-body' }, gutter, ...columns);
  body.style.cssText = `display:flex;height:${px(24 * 60)};position:relative`;
  gutter.style.cssText = 'position:relative;width:56px';
  head.style.cssText = 'display:flex';
  const scroller = h('div', { class: 'own-scroller' }, body);
  scroller.style.cssText = 'overflow:auto;height:calc(100vh - 30px)';
  root.replaceChildren(head, scroller);
  scroller.scrollTop = (7.5 * 60 * 24) / 15;
}
