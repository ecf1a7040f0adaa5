// @vitest-environment jsdom
// The booking dialog from the keyboard: the order of the fields, typed days and times that move
// on by themselves, Enter that books only from the time onwards, focus kept inside, the first
// free slots taken with one key, a new caller added without leaving, a time gone asked about,
// and a reschedule through the same dialog. Also the day and time parsers on their own.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { openBookingDialog } from './booking';
import { setLocale } from './messages';
import { clockIsComplete, dayIsComplete, parseClock, parseDay, showClock, showDay } from './when';
import type { AppointmentType, FreeSlot, Patient, Staff } from './ipc';

const doctors: Staff[] = [
  { id: 3, name: 'Dr Ada Lee', role: 'doctor', has_pin: true, active: true },
  { id: 4, name: 'Dr Ben Roy', role: 'doctor', has_pin: true, active: true },
];
const types: AppointmentType[] = [
  { id: 1, name: 'Consult', minutes: 30, mode: 'in-person' },
  { id: 2, name: 'Visit in person', minutes: 20, mode: 'in-person' },
  { id: 5, name: 'Telehealth', minutes: 15, mode: 'zoom' },
];
const tom: Patient = { id: 9, full_name: 'Tom Nguyen', email: 'tom@example.org', phone: null, date_of_birth: null, note: null };

type Call = { cmd: string; args: Record<string, unknown> };

function key(target: Element, k: string, mods: KeyboardEventInit = {}): boolean {
  return target.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true, ...mods }));
}

/** One keystroke on the focused control: the key, and for a character its input. */
function press(k: string, mods: KeyboardEventInit = {}) {
  const el = document.activeElement as HTMLInputElement;
  const go = key(el, k, mods);
  if (go && k.length === 1 && !mods.altKey && !mods.ctrlKey && el.tagName === 'INPUT') {
    el.value += k;
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }
}

const focused = () => document.activeElement?.id;

// Now: Monday 6 July 2026, 10:00 in Toronto.
beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date('2026-07-06T14:00:00Z'));
  setLocale('en-CA');
  document.body.replaceChildren();
});
afterEach(() => { vi.useRealTimers(); clearMocks(); });

function open(calls: Call[], answers: Record<string, (args: Record<string, unknown>) => unknown> = {}, reschedule?: { id: number; patientName: string; typeId: number }) {
  mockIPC((cmd, args) => {
    calls.push({ cmd, args: args as Record<string, unknown> });
    const answer = answers[cmd];
    if (answer) return answer(args as Record<string, unknown>);
    if (cmd === 'find_patients') return [tom];
    if (cmd === 'free_slots') return [];
    return { id: 1 };
  });
  const booked = vi.fn();
  openBookingDialog({
    clinicTz: 'America/Toronto', doctors, types, reschedule,
    slot: { date: '2026-07-06', time: '10:15', doctorId: 4 },
    onBooked: booked, onClose: () => undefined,
  });
  return booked;
}

describe('the day and time people type', () => {
  const today = '2026-07-06'; // a Monday
  it('reads days as the desk says them, and its own display', () => {
    expect(parseDay('tomorrow', today)).toBe('2026-07-07');
    expect(parseDay('tom', today)).toBe('2026-07-07');
    expect(parseDay('today', today)).toBe(today);
    expect(parseDay('fri', today)).toBe('2026-07-10');
    expect(parseDay('mon', today)).toBe(today);
    expect(parseDay('+3', today)).toBe('2026-07-09');
    expect(parseDay('dec 8', today)).toBe('2026-12-08');
    expect(parseDay('8 december 2027', today)).toBe('2027-12-08');
    expect(parseDay('jan 5', today)).toBe('2027-01-05'); // the next 5 January
    expect(parseDay('2026-07-31', today)).toBe('2026-07-31');
    expect(parseDay(showDay('2026-12-08'), today)).toBe('2026-12-08');
    for (const bad of ['t', 'soon', 'feb 30', '2026-13-01', 'Mon, Dec 8, 2026']) expect(parseDay(bad, today), bad).toBeNull();
    expect(dayIsComplete('tom')).toBe(false); // "tomorrow" may be on its way
    expect(dayIsComplete('tomorrow')).toBe(true);
    expect(dayIsComplete('fri')).toBe(false);
  });
  it('reads times on the clinic\'s clock, and its own display', () => {
    expect(parseClock('14')).toBe('14:00');
    expect(parseClock('2pm')).toBe('14:00');
    expect(parseClock('2:30 p.m.')).toBe('14:30');
    expect(parseClock('1430')).toBe('14:30');
    expect(parseClock('9')).toBe('09:00');
    expect(parseClock('2')).toBe('14:00'); // a 12-hour clinic: 1 to 6 alone are the afternoon
    expect(parseClock('12am')).toBe('00:00');
    expect(parseClock(showClock('14:30'))).toBe('14:30');
    for (const bad of ['25', '14:75', '13pm', 'x']) expect(parseClock(bad), bad).toBeNull();
    expect(clockIsComplete('14')).toBe(false);
    expect(clockIsComplete('2pm')).toBe(true);
    setLocale('en-GB');
    expect(parseClock('2')).toBe('02:00');
    expect(clockIsComplete('14:30')).toBe(true);
  });
});

describe('the booking dialog from the keyboard', () => {
  it('books "Tom Nguyen, telehealth, Dr Lee, tomorrow 14:00" in at most 15 keystrokes', async () => {
    const calls: Call[] = [];
    const booked = open(calls);
    let keystrokes = 1; // the "n" that opened the dialog
    for (const ch of 'tom') { press(ch); keystrokes += 1; }
    await vi.advanceTimersByTimeAsync(200);
    press('Enter'); keystrokes += 1;
    expect(focused()).toBe('book-type');
    press('t'); keystrokes += 1; // the first type with a word starting with t
    expect((document.getElementById('book-type') as HTMLSelectElement).value).toBe('5');
    press('Enter'); keystrokes += 1; // Enter moves on, as Tab would
    expect(focused()).toBe('book-doctor');
    press('l'); keystrokes += 1;
    expect((document.getElementById('book-doctor') as HTMLSelectElement).value).toBe('3');
    press('Enter'); keystrokes += 1;
    expect(focused()).toBe('book-date');
    press('ArrowUp'); keystrokes += 1; // the next day
    expect((document.getElementById('book-date') as HTMLInputElement).value).toBe(showDay('2026-07-07'));
    press('Enter'); keystrokes += 1;
    expect(focused()).toBe('book-time');
    (document.activeElement as HTMLInputElement).value = ''; // the field's text is selected on focus
    for (const ch of '14') { press(ch); keystrokes += 1; }
    press('Enter'); keystrokes += 1;
    await vi.advanceTimersByTimeAsync(0);
    expect(keystrokes).toBeLessThanOrEqual(15);
    expect(calls.find((c) => c.cmd === 'book')?.args).toEqual({ input: {
      patient_id: 9, doctor_id: 3, type_id: 5,
      start: { at: '2026-07-07T14:00', tz: 'America/Toronto', fold: null },
      allow_overlap: false, allow_outside_hours: false, topic: null, description: null,
    } });
    expect(booked).toHaveBeenCalled();
  });

  it('moves on from a day or time that is complete, and shows what a typed one means', async () => {
    open([]);
    const date = document.getElementById('book-date') as HTMLInputElement;
    date.focus();
    date.value = '';
    for (const ch of 'fri') press(ch);
    expect(document.getElementById('book-date-hint')?.textContent).toContain(showDay('2026-07-10'));
    expect(focused()).toBe('book-date'); // "friday" may be on its way
    date.value = '';
    for (const ch of 'tomorrow') press(ch);
    expect(focused()).toBe('book-time');
    expect(date.value).toBe(showDay('2026-07-07'));
    const time = document.getElementById('book-time') as HTMLInputElement;
    time.value = '';
    for (const ch of '2pm') press(ch);
    expect(focused()).toBe('book-submit');
    expect(time.value).toBe(showClock('14:00'));
  });

  it('keeps Tab inside the dialog', () => {
    open([]);
    const submit = document.getElementById('book-submit') as HTMLElement;
    submit.focus();
    expect(key(submit, 'Tab')).toBe(false); // the last control: Tab goes round
    expect(focused()).toBe('book-patient');
    expect(key(document.getElementById('book-patient') as Element, 'Tab', { shiftKey: true })).toBe(false);
    expect(focused()).toBe('book-submit');
  });

  it('lists the first free slots for the type and doctor, and Alt+1 takes the first', async () => {
    const calls: Call[] = [];
    const slots: FreeSlot[] = [
      { doctor_id: 3, start: '2026-07-07T13:00:00Z', end: '2026-07-07T13:15:00Z', local_start: '2026-07-07T09:00:00-04:00' },
      { doctor_id: 3, start: '2026-07-07T13:15:00Z', end: '2026-07-07T13:30:00Z', local_start: '2026-07-07T09:15:00-04:00' },
    ];
    const booked = open(calls, { free_slots: () => slots });
    for (const ch of 'tom') press(ch);
    await vi.advanceTimersByTimeAsync(200);
    press('Enter');
    press('t');
    press('Enter');
    press('l');
    await vi.advanceTimersByTimeAsync(200);
    const asked = calls.filter((c) => c.cmd === 'free_slots').at(-1)?.args.query as Record<string, unknown>;
    expect([asked.type_id, asked.doctor_id, asked.count]).toEqual([5, 3, 3]);
    const shown = [...document.querySelectorAll('#book-slots button')].map((b) => b.textContent);
    expect(shown).toEqual([`Alt+1 ${showDay('2026-07-07')} · ${showClock('09:00')}`, `Alt+2 ${showDay('2026-07-07')} · ${showClock('09:15')}`]);
    press('1', { altKey: true });
    expect(focused()).toBe('book-submit');
    press('Enter');
    await vi.advanceTimersByTimeAsync(0);
    const input = calls.find((c) => c.cmd === 'book')?.args.input as Record<string, unknown>;
    expect([input.doctor_id, input.type_id, (input.start as Record<string, unknown>).at]).toEqual([3, 5, '2026-07-07T09:00']);
    expect(booked).toHaveBeenCalled();
  });

  it('looks with any doctor when asked, and names whose each slot is', async () => {
    const calls: Call[] = [];
    open(calls, { free_slots: (args) => ((args.query as Record<string, unknown>).doctor_id === null
      ? [{ doctor_id: 4, start: '2026-07-06T14:30:00Z', end: '2026-07-06T15:00:00Z', local_start: '2026-07-06T10:30:00-04:00' }] : []) });
    await vi.advanceTimersByTimeAsync(200);
    expect(document.getElementById('book-slots')?.textContent).toContain('No free time');
    (document.getElementById('book-any-doctor') as HTMLInputElement).click();
    await vi.advanceTimersByTimeAsync(200);
    expect(document.getElementById('book-slots')?.textContent).toContain(`${showClock('10:30')} · Dr Ben Roy`);
  });

  it('adds a caller who is not on file and goes on with the booking', async () => {
    const calls: Call[] = [];
    open(calls, {
      find_patients: () => [],
      add_patient: (args) => ({ id: 12, ...(args.patient as object) }),
    });
    for (const ch of 'Ana Silva') press(ch);
    await vi.advanceTimersByTimeAsync(200);
    expect(document.getElementById('book-patient-list')?.textContent).toContain('+ New patient “Ana Silva”');
    press('Enter');
    expect((document.getElementById('book-new-name') as HTMLInputElement).value).toBe('Ana Silva');
    expect(focused()).toBe('book-new-phone');
    for (const ch of '4165550199') press(ch);
    press('Enter');
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.find((c) => c.cmd === 'add_patient')?.args.patient).toEqual({
      full_name: 'Ana Silva', phone: '4165550199', email: null, date_of_birth: null, note: null,
    });
    expect((document.getElementById('book-patient') as HTMLInputElement).value).toBe('Ana Silva');
    expect(focused()).toBe('book-type');
    press('Enter', { ctrlKey: true });
    await vi.advanceTimersByTimeAsync(0);
    expect((calls.find((c) => c.cmd === 'book')?.args.input as Record<string, unknown>).patient_id).toBe(12);
  });

  it('asks before booking a time that has passed', async () => {
    const calls: Call[] = [];
    const booked = open(calls);
    for (const ch of 'tom') press(ch);
    await vi.advanceTimersByTimeAsync(200);
    press('Enter');
    const time = document.getElementById('book-time') as HTMLInputElement;
    time.focus();
    time.value = '';
    for (const ch of '9') press(ch); // 9:00 this morning; it is 10:00
    press('Enter');
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.some((c) => c.cmd === 'book')).toBe(false);
    expect((document.querySelector('label.past') as HTMLElement).hidden).toBe(false);
    expect(document.getElementById('book-start-error')?.textContent).toContain('has already passed');
    expect(focused()).toBe('book-past');
    (document.getElementById('book-past') as HTMLInputElement).checked = true;
    press('Enter');
    await vi.advanceTimersByTimeAsync(0);
    expect(booked).toHaveBeenCalled();
  });

  it('reschedules a visit to another doctor and type through the same dialog', async () => {
    const calls: Call[] = [];
    const booked = open(calls, {}, { id: 40, patientName: 'Tom Nguyen', typeId: 1 });
    expect(document.getElementById('book-title')?.textContent).toBe('Reschedule visit');
    expect((document.getElementById('book-patient') as HTMLInputElement).readOnly).toBe(true);
    expect(focused()).toBe('book-doctor');
    press('l');
    const type = document.getElementById('book-type') as HTMLSelectElement;
    type.value = '5';
    press('Enter', { ctrlKey: true });
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.some((c) => c.cmd === 'book')).toBe(false);
    expect(calls.find((c) => c.cmd === 'reschedule')?.args).toEqual({ id: 40, change: {
      doctor_id: 3, type_id: 5, start: { at: '2026-07-06T10:15', tz: 'America/Toronto', fold: null },
      allow_overlap: false, allow_outside_hours: false,
    } });
    expect(booked).toHaveBeenCalled();
  });
});
