// @vitest-environment jsdom
// The printable day sheet: every doctor's day, in order, and the print dialog opened.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { clearMocks } from '@tauri-apps/api/mocks';
import { openDesk } from './testing';
import type { DaySheetRow, Staff } from './ipc';

vi.mock('./calendar', () => ({ ScheduleCalendar: class { show(): void {} reveal(): void {} markOpen(): void {} destroy(): void {} } }));

const dana: Staff = { id: 2, name: 'Dana Desk', role: 'receptionist', has_pin: true, active: true };
const ada: Staff = { id: 3, name: 'Dr Ada Lee', role: 'doctor', has_pin: true, active: true };
const ben: Staff = { id: 4, name: 'Dr Ben Roy', role: 'doctor', has_pin: true, active: true };

const row = (id: number, doctor: Staff, patient: string, start: string, local: string, status: DaySheetRow['status']): DaySheetRow => ({
  id, doctor_id: doctor.id, doctor_name: doctor.name, patient_id: id, patient_name: patient, type_id: 1, type_name: 'Consult',
  mode: 'in-person', status, start, end: start, local_start: local, local_end: local, tz: 'America/Toronto',
} as unknown as DaySheetRow);

const appointments = [
  row(1, ben, 'Carl Ng', '2026-07-06T15:00:00Z', '2026-07-06T11:00:00-04:00', 'booked'),
  row(2, ada, 'Jane Doe', '2026-07-06T13:30:00Z', '2026-07-06T09:30:00-04:00', 'checked-in'),
  row(3, ben, 'Amy Poe', '2026-07-06T13:30:00Z', '2026-07-06T09:30:00-04:00', 'cancelled'),
];

const desk = () => openDesk({ me: dana, doctors: [ada, ben], appointments });

beforeEach(() => { vi.useFakeTimers(); vi.setSystemTime(new Date('2026-07-06T12:00:00Z')); document.body.replaceChildren(); });
afterEach(() => { vi.useRealTimers(); vi.restoreAllMocks(); clearMocks(); });

describe('printable day sheet', () => {
  it('lists the day for every doctor in time order and prints it on Ctrl+P', async () => {
    const print = vi.spyOn(window, 'print').mockImplementation(() => undefined);
    const calls = await desk();
    document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'p', ctrlKey: true, bubbles: true, cancelable: true }));
    await vi.advanceTimersByTimeAsync(0);
    expect(print).toHaveBeenCalledTimes(1);
    expect(calls.filter((c) => c.cmd === 'schedule').at(-1)?.args).toEqual({ date: '2026-07-06', days: 1 });
    const sheet = document.getElementById('print-sheet') as HTMLElement;
    expect(sheet.parentElement).toBe(document.body);
    expect(sheet.querySelector('h1')?.textContent).toContain('Maple Clinic');
    const lines = [...sheet.querySelectorAll('tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent));
    expect(lines.map((l) => [l[1], l[2], l[3], l[4], l[5]])).toEqual([
      ['Dr Ada Lee', 'Jane Doe', 'Consult', 'In person', 'Checked in'],
      ['Dr Ben Roy', 'Amy Poe', 'Consult', 'In person', 'Cancelled'],
      ['Dr Ben Roy', 'Carl Ng', 'Consult', 'In person', 'Booked'],
    ]);
    expect(lines[0][0]).toMatch(/9:30/);
    expect(lines[2][0]).toMatch(/11:00/);
  });

  it('prints from the calendar bar button too, replacing the earlier sheet', async () => {
    const print = vi.spyOn(window, 'print').mockImplementation(() => undefined);
    await desk();
    (document.getElementById('print-day') as HTMLButtonElement).click();
    await vi.advanceTimersByTimeAsync(0);
    (document.getElementById('print-day') as HTMLButtonElement).click();
    await vi.advanceTimersByTimeAsync(0);
    expect(print).toHaveBeenCalledTimes(2);
    expect(document.querySelectorAll('#print-sheet')).toHaveLength(1);
  });

  it('tells the backend of each print (the day, no names) before the print dialog opens', async () => {
    const order: string[] = [];
    vi.spyOn(window, 'print').mockImplementation(() => { order.push('print'); });
    const calls = await desk();
    const printed = () => calls.filter((c) => c.cmd === 'day_sheet_printed');
    expect(printed()).toHaveLength(0);
    (document.getElementById('print-day') as HTMLButtonElement).click();
    await vi.advanceTimersByTimeAsync(0);
    expect(printed().map((c) => c.args)).toEqual([{ date: '2026-07-06', doctorId: null }]);
    const at = calls.findIndex((c) => c.cmd === 'day_sheet_printed');
    expect(calls.slice(at).map((c) => c.cmd)).not.toContain('schedule');
    expect(order).toEqual(['print']);
    expect(JSON.stringify(printed())).not.toContain('Jane');
  });

  it('prints nothing when the print cannot be recorded, and says why', async () => {
    const print = vi.spyOn(window, 'print').mockImplementation(() => undefined);
    const message = 'your session ended; sign in again';
    await openDesk({
      me: dana, doctors: [ada, ben], appointments,
      handler: (cmd) => {
        if (cmd === 'day_sheet_printed') throw { kind: 'unauthenticated', message, field: null };
        return null;
      },
    });
    (document.getElementById('print-day') as HTMLButtonElement).click();
    await vi.advanceTimersByTimeAsync(0);
    expect(print).not.toHaveBeenCalled();
    expect(document.getElementById('print-sheet')).toBeNull();
    expect(document.querySelector('.toast')?.textContent).toBe(message);
  });
});
