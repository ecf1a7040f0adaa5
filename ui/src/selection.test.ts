// @vitest-environment jsdom
// The side panel opens at once on what the calendar shows, before its audited read answers, and
// is drawn whole (with the actions the reader may take) when it does.
import { afterEach, describe, expect, it } from 'vitest';
import { clearMocks } from '@tauri-apps/api/mocks';
import { CLINIC, recordingBackend, rightsFor } from './testing';
import { SelectedAppointment } from './selection';
import type { AppointmentDetail, DaySheetRow, Staff } from './ipc';

const dana: Staff = { id: 2, name: 'Dana Desk', role: 'receptionist', has_pin: true, active: true };
const row = (id: number, patient: string): DaySheetRow => ({
  id, patient_id: id, doctor_id: 3, type_id: 1, start: '2026-07-06T13:30:00Z', end: '2026-07-06T14:00:00Z',
  tz: 'America/Toronto', local_start: '2026-07-06T09:30:00-04:00', local_end: '2026-07-06T10:00:00-04:00',
  duration_minutes: 30, topic: null, description: null, status: 'booked', cancel_reason: null, meeting: null,
  type_name: 'Consult', mode: 'in-person', doctor_name: 'Dr Ada Lee', patient_name: patient, outside_hours: false,
});

afterEach(() => clearMocks());

describe('the side panel', () => {
  it('opens on the visit at once, and adds its history and actions when the read answers', async () => {
    const answers = new Map<number, (d: AppointmentDetail) => void>();
    recordingBackend((cmd, args) => (cmd === 'appointment' ? new Promise((resolve) => answers.set(args.id as number, resolve)) : null));
    const opened: (number | null)[] = [];
    const selection = new SelectedAppointment({ me: dana, clinic: CLINIC }, {
      onChanged: () => undefined, say: () => undefined, statusChanged: () => undefined, reschedule: () => undefined, opened: (id) => opened.push(id),
    });
    const jane = row(7, 'Jane Doe');
    const opening = selection.select(jane);
    const panel = selection.panel;
    expect(panel.hidden).toBe(false);
    expect(panel.querySelector('h2')?.textContent).toBe('Jane Doe');
    expect(panel.querySelector('.when')?.textContent).toBe('Mon, Jul 6, 2026 · 9:30 a.m.–10:00 a.m.');
    expect(panel.querySelector('#panel-reading')?.textContent).toBe('Reading the history…');
    expect(panel.querySelectorAll('button[data-status]')).toHaveLength(0);

    // Another visit opened before the first read answers: the late answer draws nothing.
    const tom = row(8, 'Tom Nguyen');
    const second = selection.select(tom);
    expect(panel.querySelector('h2')?.textContent).toBe('Tom Nguyen');
    const detail = (r: DaySheetRow): AppointmentDetail => ({ ...r, history: [], next_statuses: ['checked-in', 'cancelled'], rights: rightsFor(dana, 3) }) as AppointmentDetail;
    await new Promise((r) => setTimeout(r, 0));
    answers.get(7)?.(detail(jane));
    await opening;
    expect(panel.querySelector('h2')?.textContent).toBe('Tom Nguyen');
    answers.get(8)?.(detail(tom));
    await second;
    expect(panel.querySelector('#panel-reading')).toBeNull();
    expect([...panel.querySelectorAll('button[data-status]')].map((b) => b.getAttribute('data-status'))).toEqual(['checked-in', 'cancelled']);

    // The same visit read again after a change keeps its whole panel until the new one is drawn.
    const again = selection.select(tom);
    expect(panel.querySelector('#panel-reading')).toBeNull();
    await new Promise((r) => setTimeout(r, 0));
    answers.get(8)?.(detail(tom));
    await again;
    // The calendar heard which visit is open each time, and that none is once it closes.
    selection.close();
    expect(opened).toEqual([7, 8, 8, null]);
  });
});
