// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { openBookingDialog } from './booking';
import { renderSignIn } from './signin';
import { asAppError } from './ipc';
import type { AppointmentType, Patient, Staff } from './ipc';

const doctors: Staff[] = [
  { id: 3, name: 'Dr Ada Lee', role: 'doctor', has_pin: true, active: true },
  { id: 4, name: 'Dr Ben Roy', role: 'doctor', has_pin: true, active: true },
];
const types: AppointmentType[] = [{ id: 1, name: 'Consult', minutes: 30, mode: 'zoom' }];
const jane: Patient = { id: 7, full_name: 'Jane Doe', email: null, phone: '416 555 0100', date_of_birth: '1980-02-03', note: null };

type Call = { cmd: string; args: Record<string, unknown> };

function key(target: Element, k: string, mods: KeyboardEventInit = {}) {
  target.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true, ...mods }));
}

/** Types text one key at a time, as a person does: each character is one keystroke. */
function type(input: HTMLInputElement, text: string) {
  for (const ch of text) {
    key(input, ch);
    input.value += ch;
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }
}

// The dialogs' "now": the morning of 1 July 2026 in Toronto (the slots below are after it).
beforeEach(() => { vi.useFakeTimers(); vi.setSystemTime(new Date('2026-07-01T13:00:00Z')); document.body.replaceChildren(); });
afterEach(() => { vi.useRealTimers(); clearMocks(); });

function dialog(calls: Call[], book: (args: Record<string, unknown>) => unknown) {
  mockIPC((cmd, args) => {
    calls.push({ cmd, args: args as Record<string, unknown> });
    if (cmd === 'find_patients') return [jane];
    if (cmd === 'book') return book(args as Record<string, unknown>);
  });
  const booked = vi.fn();
  openBookingDialog({
    clinicTz: 'America/Toronto', doctors, types,
    slot: { date: '2026-07-06', time: '09:30', doctorId: 4 },
    onBooked: booked, onClose: () => undefined,
  });
  return booked;
}

describe('booking dialog', () => {
  it('books a found patient in a prefilled slot with two letters, Enter and Ctrl+Enter', async () => {
    const calls: Call[] = [];
    const booked = dialog(calls, () => ({ id: 1 }));
    const input = document.activeElement as HTMLInputElement;
    expect(input.id).toBe('book-patient');
    let keystrokes = 0;
    type(input, 'ja'); keystrokes += 2;
    await vi.advanceTimersByTimeAsync(200);
    expect(document.querySelector('[role=option][aria-selected=true]')?.textContent).toContain('Jane Doe');
    key(input, 'Enter'); keystrokes += 1;
    // The patient picked, the type is next; a second, habitual Enter moves on and books nothing.
    expect(document.activeElement?.id).toBe('book-type');
    key(document.activeElement as Element, 'Enter');
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.some((c) => c.cmd === 'book')).toBe(false);
    expect(document.activeElement?.id).toBe('book-doctor');
    key(document.activeElement as Element, 'Enter', { ctrlKey: true }); keystrokes += 1;
    await vi.advanceTimersByTimeAsync(0);
    // With the "n" that opened the dialog: 5 keystrokes, within the 6 allowed.
    expect(keystrokes + 1).toBeLessThanOrEqual(6);
    const call = calls.find((c) => c.cmd === 'book');
    expect(call?.args).toEqual({ input: {
      patient_id: 7, doctor_id: 4, type_id: 1,
      start: { at: '2026-07-06T09:30', tz: 'America/Toronto', fold: null },
      allow_overlap: false, allow_outside_hours: false, topic: null, description: null,
    } });
    expect(booked).toHaveBeenCalled();
    expect(document.querySelector('.overlay')).toBeNull();
  });

  it('explains a DST gap next to the time and keeps what was typed', async () => {
    const calls: Call[] = [];
    dialog(calls, () => { throw { kind: 'validation', field: 'start', message: '2026-03-08 02:30 does not exist in America/Toronto: the valid times on either side are 01:59 and 03:00' }; });
    const input = document.getElementById('book-patient') as HTMLInputElement;
    type(input, 'ja');
    await vi.advanceTimersByTimeAsync(200);
    key(input, 'Enter');
    (document.getElementById('book-topic') as HTMLInputElement).value = 'Follow-up';
    key(document.getElementById('book-submit') as Element, 'Enter');
    await vi.advanceTimersByTimeAsync(0);
    const error = document.getElementById('book-start-error') as HTMLElement;
    expect(error.hidden).toBe(false);
    expect(error.textContent).toContain('01:59 and 03:00');
    expect((document.getElementById('book-topic') as HTMLInputElement).value).toBe('Follow-up');
    expect((document.getElementById('book-patient') as HTMLInputElement).value).toBe('Jane Doe');
    expect(document.querySelector('.overlay')).not.toBeNull();
  });

  it('offers earlier/later for an ambiguous time and a confirmed double booking for a clash', async () => {
    const calls: Call[] = [];
    const answers = [
      { kind: 'validation', field: 'fold', message: '2026-11-01 01:30 happens twice in America/Toronto' },
      { kind: 'conflict', field: 'start', message: 'Dr Ben Roy already has a visit from 01:30 to 02:00 on Sunday, November 1, 2026; choose another time, or confirm the double booking' },
    ];
    dialog(calls, () => { const next = answers.shift(); if (next) throw next; return { id: 2 }; });
    const input = document.getElementById('book-patient') as HTMLInputElement;
    type(input, 'ja');
    await vi.advanceTimersByTimeAsync(200);
    key(input, 'Enter');
    const fold = document.querySelector('fieldset.fold') as HTMLElement;
    const overlap = document.querySelector('label.overlap') as HTMLElement;
    expect(fold.hidden).toBe(true);
    key(document.getElementById('book-submit') as Element, 'Enter');
    await vi.advanceTimersByTimeAsync(0);
    expect(fold.hidden).toBe(false);
    (document.querySelector('input[name=fold][value=later]') as HTMLInputElement).checked = true;
    key(document.getElementById('book-submit') as Element, 'Enter');
    await vi.advanceTimersByTimeAsync(0);
    expect(overlap.hidden).toBe(false);
    expect(document.getElementById('book-start-error')?.textContent).toContain('Dr Ben Roy already has a visit from 01:30');
    (document.getElementById('book-overlap') as HTMLInputElement).checked = true;
    key(document.getElementById('book-submit') as Element, 'Enter');
    await vi.advanceTimersByTimeAsync(0);
    const last = calls.filter((c) => c.cmd === 'book').at(-1)?.args.input as Record<string, unknown>;
    expect(last.allow_overlap).toBe(true);
    expect((last.start as Record<string, unknown>).fold).toBe('later');
  });

  it('asks before booking outside the doctor\'s working hours, and books once confirmed', async () => {
    const calls: Call[] = [];
    const answers = [{ kind: 'outside_hours', field: 'start', message: 'Dr Ben Roy does not work at 07:00 on Monday 6 July (working hours 09:00–17:00)' }];
    const booked = dialog(calls, () => { const next = answers.shift(); if (next) throw next; return { id: 3 }; });
    const input = document.getElementById('book-patient') as HTMLInputElement;
    type(input, 'ja');
    await vi.advanceTimersByTimeAsync(200);
    key(input, 'Enter');
    const outside = document.querySelector('label.outside-hours') as HTMLElement;
    expect(outside.hidden).toBe(true);
    key(document.getElementById('book-submit') as Element, 'Enter');
    await vi.advanceTimersByTimeAsync(0);
    expect(outside.hidden).toBe(false);
    expect(document.getElementById('book-start-error')?.textContent).toContain('does not work at 07:00');
    expect(booked).not.toHaveBeenCalled();
    (document.getElementById('book-outside-hours') as HTMLInputElement).checked = true;
    key(document.getElementById('book-submit') as Element, 'Enter');
    await vi.advanceTimersByTimeAsync(0);
    const last = calls.filter((c) => c.cmd === 'book').at(-1)?.args.input as Record<string, unknown>;
    expect([last.allow_outside_hours, last.allow_overlap]).toEqual([true, false]);
    expect(booked).toHaveBeenCalled();
  });

  it('will not book without a patient picked from the list', async () => {
    const calls: Call[] = [];
    dialog(calls, () => ({ id: 1 }));
    key(document.getElementById('book-time') as Element, 'Enter');
    await vi.advanceTimersByTimeAsync(0);
    expect(document.getElementById('book-patient-error')?.textContent).toContain('Pick a patient');
    expect(calls.some((c) => c.cmd === 'book')).toBe(false);
  });
});

describe('sign-in', () => {
  it('shows a wrong PIN next to the PIN field and clears it', async () => {
    mockIPC((cmd) => {
      if (cmd === 'sign_in') throw { kind: 'unauthenticated', field: 'pin', message: 'wrong PIN; 4 more tries before sign-in pauses for 5 minutes' };
    });
    const root = document.createElement('main');
    document.body.append(root);
    renderSignIn(root, {
      setup_needed: false, signed_in: null, must_change_pin: false, version: '0.1.0',
      clinic: { name: 'Maple Clinic', tz: 'UTC', lock_minutes: 10, locale: 'en-CA', neutral_titles: false, own_patients_only: false },
      staff: [{ id: 2, name: 'Dana Desk', role: 'receptionist', has_pin: true }],
    }, () => undefined);
    const pin = document.getElementById('signin-pin') as HTMLInputElement;
    pin.value = '000000';
    (root.querySelector('form') as HTMLFormElement).requestSubmit();
    await vi.advanceTimersByTimeAsync(0);
    expect(document.getElementById('signin-error')?.textContent).toContain('4 more tries');
    expect(pin.value).toBe('');
  });
});

describe('errors', () => {
  it('keeps the kind and message of a backend error and wraps anything else', () => {
    expect(asAppError({ kind: 'forbidden', message: 'only admin can do this', field: null }).kind).toBe('forbidden');
    expect(asAppError(new Error('boom'))).toEqual({ kind: 'internal', message: 'Error: boom', field: null });
    expect(asAppError({ kind: 'weird', message: 'x' }).kind).toBe('internal');
  });
});

describe('status line', () => {
  it('says when the network goes away and comes back', async () => {
    const { watchNetwork } = await import('./network');
    const el = document.createElement('span');
    let online = true;
    Object.defineProperty(navigator, 'onLine', { configurable: true, get: () => online });
    const stop = watchNetwork(el, 'America/Toronto');
    expect(el.textContent).toContain('connected');
    online = false;
    window.dispatchEvent(new Event('offline'));
    expect(el.textContent).toContain('offline');
    expect(el.textContent).toContain('still works');
    online = true;
    window.dispatchEvent(new Event('online'));
    expect(el.className).toBe('online');
    stop();
  });
});

describe('first start', () => {
  it('creates the clinic and its admin, and shows what the backend refused', async () => {
    const { renderSetup } = await import('./signin');
    const calls: Call[] = [];
    let refuse = true;
    mockIPC((cmd, args) => {
      calls.push({ cmd, args: args as Record<string, unknown> });
      if (cmd === 'first_run') {
        if (refuse) { refuse = false; throw { kind: 'validation', field: 'tz', message: 'unknown time zone "Mars/Base": use an IANA name such as America/Toronto or Europe/London' }; }
        return { id: 1, name: 'Eli Admin', role: 'admin', has_pin: true, active: true };
      }
    });
    const root = document.createElement('main');
    document.body.append(root);
    const done = vi.fn();
    renderSetup(root, done);
    const set = (id: string, v: string) => { (document.getElementById(id) as HTMLInputElement).value = v; };
    set('setup-clinic', 'Maple Clinic'); set('setup-tz', 'Mars/Base'); set('setup-admin', 'Eli Admin'); set('setup-pin', '135790');
    (root.querySelector('form') as HTMLFormElement).requestSubmit();
    await vi.advanceTimersByTimeAsync(0);
    // Beside the zone's box, which keeps what was typed, as do the others.
    expect(document.getElementById('setup-tz-error')?.textContent).toContain('Mars/Base');
    expect(document.getElementById('setup-tz')?.getAttribute('aria-invalid')).toBe('true');
    expect((root.querySelector('[role=alert]') as HTMLElement).hidden).toBe(true);
    expect((document.getElementById('setup-tz') as HTMLInputElement).value).toBe('Mars/Base');
    expect((document.getElementById('setup-clinic') as HTMLInputElement).value).toBe('Maple Clinic');
    set('setup-tz', 'America/Toronto');
    (root.querySelector('form') as HTMLFormElement).requestSubmit();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.at(-1)).toEqual({ cmd: 'first_run', args: { clinicName: 'Maple Clinic', tz: 'America/Toronto', adminName: 'Eli Admin', pin: '135790' } });
    expect(done).toHaveBeenCalled();
  });

  it('joins the clinic’s server instead: the refusal goes beside its box, then the app starts again', async () => {
    const { renderSetup } = await import('./signin');
    const calls: Call[] = [];
    let refuse = true;
    mockIPC((cmd, args) => {
      calls.push({ cmd, args: args as Record<string, unknown> });
      if (cmd === 'join_server' && refuse) {
        refuse = false;
        throw { kind: 'setup', field: null, message: 'the clinic’s server at clinic-server:5432/frontdesk refused the password for the user frontdesk' };
      }
      return null;
    });
    const root = document.createElement('main');
    document.body.append(root);
    renderSetup(root, vi.fn());
    (document.getElementById('setup-join') as HTMLButtonElement).click();
    expect(document.getElementById('join-title')?.textContent).toBe('Join the clinic’s server');
    expect(document.activeElement?.id).toBe('join-host');
    const set = (id: string, v: string) => { (document.getElementById(id) as HTMLInputElement).value = v; };
    set('join-host', 'clinic-server'); set('join-password', 'wrong');
    (root.querySelector('form') as HTMLFormElement).requestSubmit();
    await vi.advanceTimersByTimeAsync(0);
    const alert = root.querySelector('form > [role=alert]') as HTMLElement;
    expect(alert.hidden).toBe(false);
    expect(alert.textContent).toContain('refused the password');
    expect((document.getElementById('join-host') as HTMLInputElement).value).toBe('clinic-server');
    expect(calls.some((c) => c.cmd === 'restart_app')).toBe(false);
    set('join-password', 'right');
    (root.querySelector('form') as HTMLFormElement).requestSubmit();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.filter((c) => c.cmd === 'join_server').at(-1)?.args).toEqual({
      choice: { host: 'clinic-server', port: 5432, database: 'frontdesk', user: 'frontdesk', ca_file: null },
      password: 'right',
    });
    expect(calls.at(-1)?.cmd).toBe('restart_app');
  });

  it('says why the clinic’s server cannot be used, and offers to point the desk elsewhere', async () => {
    const { startApp } = await import('./app');
    const server = { host: 'clinic-server', port: 5432, database: 'frontdesk', user: 'frontdesk', ca_file: null };
    mockIPC((cmd) => {
      if (cmd === 'app_status') throw { kind: 'unavailable', field: null, message: 'the clinic’s server at clinic-server:5432/frontdesk cannot be reached (Connection refused)' };
      if (cmd === 'clinic_server') return server;
      return null;
    });
    const root = document.createElement('main');
    document.body.append(root);
    await startApp(root);
    expect(root.querySelector('[role=alert]')?.textContent).toContain('cannot be reached (Connection refused)');
    (document.getElementById('change-server') as HTMLButtonElement).click();
    expect((document.getElementById('join-host') as HTMLInputElement).value).toBe('clinic-server');
    expect(document.getElementById('setup-new')).toBeNull();
  });
});
