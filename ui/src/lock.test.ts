// @vitest-environment jsdom
// The desk locks (it is shared): after the clinic's lock time with nobody at the keys, and on
// Ctrl+L. Locked, it signs out, shows the sign-in screen and stops: no more shortcuts, timers or
// events from the backend reach it.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { clearMocks } from '@tauri-apps/api/mocks';
import { startApp } from './app';
import { events } from './ipc';
import { CLINIC, recordingBackend } from './testing';
import type { Staff } from './ipc';

// The calendar is not what these tests are about (calendar.test.ts is).
vi.mock('./calendar', () => ({ ScheduleCalendar: class { show(): void {} reveal(): void {} markOpen(): void {} destroy(): void {} } }));

const dana: Staff = { id: 2, name: 'Dana Desk', role: 'receptionist', has_pin: true, active: true };
const ada: Staff = { id: 3, name: 'Dr Ada Lee', role: 'doctor', has_pin: true, active: true };

/** Opens Dana's desk on a backend that forgets her when she signs out. */
async function desk() {
  let signedIn: Staff | null = dana;
  const calls = recordingBackend((cmd) => {
    if (cmd === 'app_status') return { setup_needed: false, clinic: CLINIC, staff: [dana, ada], signed_in: signedIn };
    if (cmd === 'sign_out') { signedIn = null; return null; }
    if (cmd === 'schedule') return { clinic_name: CLINIC.name, tz: CLINIC.tz, date: '2026-07-06', days: 1, doctors: [ada], appointments: [], busy: [], may_book: true };
    if (cmd === 'list_types') return [];
    return null;
  });
  const root = document.createElement('div');
  document.body.append(root);
  await startApp(root);
  await vi.advanceTimersByTimeAsync(0);
  return { calls, count: (cmd: string) => calls.filter((c) => c.cmd === cmd).length };
}

const press = (key: string, ctrlKey = false) =>
  document.body.dispatchEvent(new KeyboardEvent('keydown', { key, ctrlKey, bubbles: true, cancelable: true }));
const locked = () => document.getElementById('signin-pin') !== null;

beforeEach(() => { vi.useFakeTimers(); document.body.replaceChildren(); });
afterEach(() => { vi.useRealTimers(); clearMocks(); });

describe('the lock', () => {
  it('comes after the clinic’s lock time without a key or a click, counted from the last one', async () => {
    const { count } = await desk();
    await vi.advanceTimersByTimeAsync(9 * 60_000);
    press('Shift');
    await vi.advanceTimersByTimeAsync(9 * 60_000);
    document.body.dispatchEvent(new Event('pointerdown', { bubbles: true }));
    await vi.advanceTimersByTimeAsync(CLINIC.lock_minutes * 60_000);
    expect([count('sign_out'), locked()]).toEqual([0, false]);

    // It looks every 15 seconds.
    await vi.advanceTimersByTimeAsync(15_000);
    expect([count('sign_out'), locked()]).toEqual([1, true]);
  });

  it('comes on Ctrl+L, and then nothing reaches the old desk', async () => {
    const { count } = await desk();
    press('l', true);
    await vi.advanceTimersByTimeAsync(0);
    expect([count('sign_out'), locked()]).toEqual([1, true]);
    const schedules = count('schedule');

    press('t');
    await events.deepLink.emit({ kind: 'day', date: '2026-07-07' });
    await events.meetingChanged.emit({ appointment_id: 1 });
    await vi.advanceTimersByTimeAsync(60 * 60_000);
    expect([count('schedule'), count('sign_out'), locked()]).toEqual([schedules, 1, true]);
  });

  it('tells the backend of a person\'s input at most every 30 seconds, and of the last one', async () => {
    const { count } = await desk();
    expect(count('still_here')).toBe(0);
    press('a');
    expect(count('still_here')).toBe(1);
    for (let i = 0; i < 10; i++) {
      await vi.advanceTimersByTimeAsync(2_000);
      press('b');
    }
    expect(count('still_here')).toBe(1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(count('still_here')).toBe(2); // the last key, 30 seconds after the first report
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    expect(count('still_here')).toBe(2); // nobody at the desk: nothing more, whatever the window reads
  });
});
