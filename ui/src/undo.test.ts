// @vitest-environment jsdom
// "Booked — Undo": the bar offered after a change, Undo (the button or Ctrl+Z) asking the core,
// what it says either way, and the bar going by itself.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { clearMocks } from '@tauri-apps/api/mocks';
import { UndoBar, UNDO_SHOWN_MS } from './undo';
import { openDesk, recordingBackend } from './testing';
import type { Appointment, Patient, Staff } from './ipc';

const dana: Staff = { id: 2, name: 'Dana Desk', role: 'receptionist', has_pin: true, active: true };
const ada: Staff = { id: 3, name: 'Dr Ada Lee', role: 'doctor', has_pin: true, active: true };
const jane: Patient = { id: 7, full_name: 'Jane Doe', email: null, phone: null, date_of_birth: null, note: null };
const booked: Appointment = {
  id: 41, patient_id: 7, doctor_id: 3, type_id: 1, start: '2026-07-06T14:00:00Z', end: '2026-07-06T14:30:00Z',
  tz: 'America/Toronto', local_start: '2026-07-06T10:00:00-04:00', duration_minutes: 30, topic: null, description: null,
  status: 'booked', cancel_reason: null, meeting: null,
};

vi.mock('./calendar', () => ({ ScheduleCalendar: class { show(): void {} reveal(): void {} markOpen(): void {} destroy(): void {} } }));

beforeEach(() => { vi.useFakeTimers(); vi.setSystemTime(new Date('2026-07-06T13:00:00Z')); document.body.replaceChildren(); });
afterEach(() => { vi.useRealTimers(); clearMocks(); });

describe('the undo bar', () => {
  it('undoes through the core, says so, and hands back the visit as it is now', async () => {
    const calls = recordingBackend((cmd) => (cmd === 'undo' ? { ...booked, status: 'cancelled' } : null));
    const said: string[] = [];
    const undone = vi.fn();
    const bar = new UndoBar({ undone, say: (m) => said.push(m) });
    document.body.append(bar.element);
    bar.offer('Booked', 41);
    expect(bar.element.hidden).toBe(false);
    expect(bar.element.textContent).toBe('BookedUndo (Ctrl+Z)');
    (document.getElementById('undo') as HTMLButtonElement).click();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.filter((c) => c.cmd === 'undo').map((c) => c.args)).toEqual([{ id: 41 }]);
    expect(said).toEqual(['Undone']);
    expect(undone).toHaveBeenCalledWith(expect.objectContaining({ id: 41, status: 'cancelled' }));
    expect(bar.element.hidden).toBe(true);
    expect(bar.offered).toBe(false);
  });

  it('says why when the core refuses, and goes by itself after a few seconds', async () => {
    recordingBackend((cmd) => {
      if (cmd === 'undo') throw { kind: 'conflict', field: null, message: 'the visit has changed since; change it again instead of undoing' };
      return null;
    });
    const said: string[] = [];
    const bar = new UndoBar({ undone: () => undefined, say: (m) => said.push(m) });
    bar.offer('Moved', 41);
    await bar.undo();
    expect(said).toEqual(['the visit has changed since; change it again instead of undoing']);
    bar.offer('Marked Checked in', 41);
    vi.advanceTimersByTime(UNDO_SHOWN_MS);
    expect([bar.element.hidden, bar.offered]).toEqual([true, false]);
  });
});

describe('undo at the desk', () => {
  it('offers Undo after a booking, and Ctrl+Z takes it back', async () => {
    const calls = await openDesk({
      me: dana, doctors: [ada], types: [{ id: 1, name: 'Consult', minutes: 30, mode: 'in-person' }],
      handler: (cmd) => {
        if (cmd === 'find_patients') return [jane];
        if (cmd === 'free_slots') return [];
        if (cmd === 'book') return booked;
        if (cmd === 'undo') return { ...booked, status: 'cancelled' };
        return null;
      },
    });
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'n', bubbles: true }));
    await vi.advanceTimersByTimeAsync(0);
    const input = document.getElementById('book-patient') as HTMLInputElement;
    input.value = 'ja';
    input.dispatchEvent(new Event('input', { bubbles: true }));
    await vi.advanceTimersByTimeAsync(200);
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }));
    (document.activeElement as HTMLElement).dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', ctrlKey: true, bubbles: true, cancelable: true }));
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.some((c) => c.cmd === 'book')).toBe(true);
    const bar = document.getElementById('undo-bar') as HTMLElement;
    expect([bar.hidden, bar.textContent]).toEqual([false, 'BookedUndo (Ctrl+Z)']);
    document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'z', ctrlKey: true, bubbles: true, cancelable: true }));
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.filter((c) => c.cmd === 'undo').map((c) => c.args)).toEqual([{ id: 41 }]);
    expect(bar.hidden).toBe(true);
  });
});
