// What another desk or the clinic service changed reaches the open desk: the shown days are read
// again when the change touches them, once for the announcements that come together, and not at
// all for a change on another day.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { clearMocks } from '@tauri-apps/api/mocks';
import { openDesk } from './testing';
import { events } from './ipc';
import type { DaySheetRow, Staff } from './ipc';

// The calendar is stubbed: the reads are what is tested here.
vi.mock('./calendar', () => ({ ScheduleCalendar: class { show(): void {} reveal(): void {} markOpen(): void {} destroy(): void {} } }));

const ada: Staff = { id: 1, name: 'Dr Ada Lee', role: 'doctor', has_pin: true, active: true };
const dana: Staff = { id: 3, name: 'Dana Desk', role: 'receptionist', has_pin: true, active: true };

const row = {
  id: 9, patient_id: 7, doctor_id: ada.id, type_id: 1,
  start: '2026-07-06T13:30:00Z', end: '2026-07-06T14:00:00Z', tz: 'America/Toronto',
  local_start: '2026-07-06T09:30:00-04:00', local_end: '2026-07-06T10:00:00-04:00', duration_minutes: 30,
  topic: null, description: null, status: 'booked', cancel_reason: null, meeting: null,
  type_name: 'Consult', mode: 'in-person', doctor_name: 'Dr Ada Lee', patient_name: 'Jane Doe',
} as unknown as DaySheetRow;

afterEach(() => {
  clearMocks();
  vi.useRealTimers();
  document.body.replaceChildren();
});

describe('changes made at other desks', () => {
  it('read the shown day again when they touch it, once per burst, and never for another day', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.setSystemTime(new Date('2026-07-06T14:00:00Z'));
    const calls = await openDesk({ me: dana, doctors: [ada], appointments: [row] });
    const reads = () => calls.filter((c) => c.cmd === 'schedule').length;
    const before = reads();

    // A booking on another day: nothing to read.
    await events.scheduleChanged.emit({ appointment_id: 50, spans: [['2026-07-08T13:30:00Z', '2026-07-08T14:00:00Z']] });
    await vi.advanceTimersByTimeAsync(500);
    expect(reads()).toBe(before);

    // A booking today, with its meeting and mail rows: one read.
    await events.scheduleChanged.emit({ appointment_id: 51, spans: [['2026-07-06T15:00:00Z', '2026-07-06T15:30:00Z']] });
    await events.scheduleChanged.emit({ appointment_id: 51, spans: [] });
    await events.scheduleChanged.emit({ appointment_id: 51, spans: [] });
    await vi.advanceTimersByTimeAsync(500);
    expect(reads()).toBe(before + 1);

    // A shown appointment's meeting changed elsewhere; then the line dropped: read everything.
    await events.scheduleChanged.emit({ appointment_id: 9, spans: [] });
    await vi.advanceTimersByTimeAsync(500);
    expect(reads()).toBe(before + 2);
    await events.scheduleChanged.emit({ appointment_id: null, spans: [] });
    await vi.advanceTimersByTimeAsync(500);
    expect(reads()).toBe(before + 3);
  });

  it("read the doctors' hours again only when they may have changed: not for a meeting's new state", async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.setSystemTime(new Date('2026-07-06T14:00:00Z'));
    const working = { tz: 'America/Toronto', first: '2026-07-06', days: 1, clinic: { restricted: false, open: [], opens_at_minute: null, holidays: [] }, doctors: [] };
    const calls = await openDesk({ me: dana, doctors: [ada], appointments: [row], handler: (cmd) => (cmd === 'working_time' ? working : null) });
    const reads = (cmd: string) => calls.filter((c) => c.cmd === cmd).length;
    const [days, hours] = [reads('schedule'), reads('working_time')];

    // A shown visit's meeting changed: the day is read again, its hours kept.
    await events.meetingChanged.emit({ appointment_id: 9 });
    await vi.advanceTimersByTimeAsync(3000);
    expect([reads('schedule'), reads('working_time')]).toEqual([days + 1, hours]);

    // Another desk's change (an admin there may have changed hours): both.
    await events.scheduleChanged.emit({ appointment_id: null, spans: [] });
    await vi.advanceTimersByTimeAsync(500);
    expect([reads('schedule'), reads('working_time')]).toEqual([days + 2, hours + 1]);
  });
});
