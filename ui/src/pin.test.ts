// @vitest-environment jsdom
// The PIN rules at the desk: a sign-in with a too-short older PIN chooses a new one before the
// desk opens; an admin is told once of sign-in pauses, locks and unlocks; the staff screen
// unlocks someone locked out by wrong PINs.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { clearMocks } from '@tauri-apps/api/mocks';
import { startApp } from './app';
import { renderStaff } from './directory';
import { CLINIC, recordingBackend } from './testing';
import type { SecurityNotice, Staff } from './ipc';

// The calendar is not what these tests are about (calendar.test.ts is).
vi.mock('./calendar', () => ({ ScheduleCalendar: class { show(): void {} reveal(): void {} markOpen(): void {} destroy(): void {} } }));

const admin: Staff = { id: 1, name: 'Eli Admin', role: 'admin', has_pin: true, active: true };
const dana: Staff = { id: 2, name: 'Dana Desk', role: 'receptionist', has_pin: true, active: true };
const ada: Staff = { id: 3, name: 'Dr Ada Lee', role: 'doctor', has_pin: true, active: true };

const input = (id: string) => document.getElementById(id) as HTMLInputElement;
const submit = () => (document.querySelector('form') as HTMLFormElement).requestSubmit();
const settle = () => vi.advanceTimersByTimeAsync(0);

/** Types a PIN on the sign-in screen and presses Enter. */
async function signIn(pin: string) {
  input('signin-pin').value = pin;
  submit();
  await settle();
}

/** The app on a backend whose sign-in answers `signIn`; `handler` answers the rest. */
async function app(signIn: unknown, handler: (cmd: string, args: Record<string, unknown>) => unknown = () => null, signedIn: Staff | null = null, mustChange = false) {
  let current = signedIn;
  const calls = recordingBackend((cmd, args) => {
    if (cmd === 'app_status') return { setup_needed: false, clinic: CLINIC, staff: [admin, dana, ada], signed_in: current, must_change_pin: current !== null && mustChange, version: '0.1.0' };
    if (cmd === 'sign_in') return signIn;
    if (cmd === 'sign_out') { current = null; return null; }
    if (cmd === 'schedule') return { clinic_name: CLINIC.name, tz: CLINIC.tz, date: '2026-07-06', days: 1, doctors: [ada], appointments: [], busy: [], may_book: true };
    if (cmd === 'list_types' || cmd === 'connections') return [];
    return handler(cmd, args);
  });
  const root = document.createElement('div');
  document.body.append(root);
  await startApp(root);
  await settle();
  return { root, calls, cmds: () => calls.map((c) => c.cmd) };
}

beforeEach(() => { vi.useFakeTimers(); vi.setSystemTime(new Date('2026-07-06T15:00:00Z')); document.body.replaceChildren(); });
afterEach(() => { vi.useRealTimers(); clearMocks(); });

describe('a too-short PIN', () => {
  it('signs in to choosing a new one of at least 6 digits, and only then opens the desk', async () => {
    let refuse = true;
    const { root, calls, cmds } = await app({ staff: dana, must_change_pin: true, security_notices: [] }, (cmd) => {
      if (cmd === 'change_pin' && refuse) { refuse = false; throw { kind: 'validation', field: 'pin', message: 'use 6 to 12 digits; a shorter PIN is too easy to guess' }; }
      if (cmd === 'change_pin') return dana;
      return null;
    });
    await signIn('2468');
    expect(document.getElementById('pin-title')?.textContent).toBe('Choose a new PIN');
    expect(root.textContent).toContain('at least 6 digits');
    expect(root.querySelector('.statusline')).toBeNull();
    expect(cmds()).not.toContain('schedule');
    expect(document.activeElement?.id).toBe('pin-new');

    // Typed differently twice: said beside the second box, and nothing sent.
    input('pin-new').value = '864202';
    input('pin-again').value = '864203';
    submit();
    await settle();
    expect(document.getElementById('pin-again-error')?.textContent).toContain('not the same');
    expect(cmds()).not.toContain('change_pin');

    // Refused by the backend: beside the new PIN's box.
    input('pin-new').value = '1357';
    input('pin-again').value = '1357';
    submit();
    await settle();
    expect(document.getElementById('pin-new-error')?.textContent).toContain('6 to 12 digits');
    expect(root.querySelector('.statusline')).toBeNull();

    input('pin-new').value = '864202';
    input('pin-again').value = '864202';
    submit();
    await settle();
    expect(calls.filter((c) => c.cmd === 'change_pin').at(-1)?.args).toEqual({ pin: '864202' });
    expect(root.querySelector('.statusline')?.textContent).toContain('Signed in as Dana Desk');
    expect(cmds().indexOf('schedule')).toBeGreaterThan(cmds().lastIndexOf('change_pin'));
  });

  it('is asked for again after the window reloads, and signing out goes back to the sign-in screen', async () => {
    const { cmds } = await app(null, () => null, dana, true);
    expect(document.getElementById('pin-title')).not.toBeNull();
    expect(cmds()).not.toContain('schedule');
    (document.getElementById('pin-sign-out') as HTMLButtonElement).click();
    await settle();
    expect(cmds()).toContain('sign_out');
    expect(document.getElementById('signin-pin')).not.toBeNull();
  });
});

describe('an admin’s sign-in', () => {
  const notices: SecurityNotice[] = [
    { at: '2026-07-06T14:20:00Z', event: 'paused', staff_id: 3, staff_name: 'Dr Ada Lee', wrong_pins: 5, minutes: 5, by: null },
    { at: '2026-07-06T14:42:00Z', event: 'locked', staff_id: 3, staff_name: 'Dr Ada Lee', wrong_pins: 15, minutes: null, by: null },
    { at: '2026-07-05T18:00:00Z', event: 'unlocked', staff_id: 2, staff_name: 'Dana Desk', wrong_pins: null, minutes: null, by: 'Ines Admin' },
  ];

  it('shows the sign-in problems since their last sign-in once, in a dialog they dismiss', async () => {
    await app({ staff: admin, must_change_pin: false, security_notices: notices });
    await signIn('135790');
    const dialog = document.querySelector('[role=alertdialog]') as HTMLElement;
    expect(dialog).not.toBeNull();
    const items = [...dialog.querySelectorAll('li')].map((li) => li.textContent ?? '');
    expect(items[0]).toContain('Dr Ada Lee’s sign-in was paused for 5 minutes after 5 wrong PINs');
    expect(items[1]).toContain('Dr Ada Lee’s sign-in was locked after 15 wrong PINs (10:42');
    expect(items[1]).toContain('unlock it in Staff');
    expect(items[2]).toContain('Dana Desk’s sign-in was unlocked by Ines Admin');
    expect(items[2]).toContain('2026'); // another day: the date is said
    expect(document.activeElement?.id).toBe('notices-dismiss');
    (document.getElementById('notices-dismiss') as HTMLButtonElement).click();
    expect(document.querySelector('[role=alertdialog]')).toBeNull();
  });

  it('shows no dialog when there is nothing to tell', async () => {
    await app({ staff: admin, must_change_pin: false, security_notices: [] });
    await signIn('135790');
    expect(document.querySelector('.statusline')).not.toBeNull();
    expect(document.querySelector('[role=alertdialog]')).toBeNull();
  });
});

describe('the staff screen', () => {
  it('offers Unlock for someone locked out by wrong PINs, and says until when a pause lasts', async () => {
    let holds: unknown[] = [
      { staff_id: 3, locked: true, paused_until: null },
      { staff_id: 2, locked: false, paused_until: '2026-07-06T15:30:00Z' },
    ];
    const calls = recordingBackend((cmd) => {
      if (cmd === 'list_all_staff') return [admin, dana, ada];
      if (cmd === 'sign_in_holds') return holds;
      if (cmd === 'unlock_staff') { holds = holds.slice(1); return ada; }
      return null;
    });
    const root = document.createElement('div');
    document.body.append(root);
    await renderStaff(root, 'America/Toronto');
    const row = (name: string) => [...root.querySelectorAll('tr')].find((r) => r.textContent?.includes(name)) as HTMLElement;
    expect(row('Dr Ada Lee').textContent).toContain('Sign-in locked after wrong PINs');
    expect(row('Dana Desk').textContent).toContain('Sign-in paused until 11:30');
    expect(row('Eli Admin').querySelector('button.unlock')).toBeNull();
    (row('Dr Ada Lee').querySelector('button.unlock') as HTMLButtonElement).click();
    await settle();
    expect(calls.find((c) => c.cmd === 'unlock_staff')?.args).toEqual({ id: 3 });
    expect(row('Dr Ada Lee').querySelector('button.unlock')).toBeNull();
  });
});
