// @vitest-environment jsdom
// The desk's pager over the doctor columns: what the calendar is given, the keys and buttons, and
// the doctor a booking or a link is for brought into view.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { clearMocks } from '@tauri-apps/api/mocks';
import axe from 'axe-core';
import { openDesk, rightsFor } from './testing';
import { events } from './ipc';
import type { AppointmentDetail, DaySheet, DaySheetRow, Staff } from './ipc';

// The calendar only records what it is asked to show here (calendar.test.ts tests it).
const { shown } = vi.hoisted(() => ({ shown: [] as DaySheet[] }));
vi.mock('./calendar', () => ({ ScheduleCalendar: class { show(sheet: DaySheet): void { shown.push(sheet); } reveal(): void {} markOpen(): void {} destroy(): void {} } }));

const dana: Staff = { id: 2, name: 'Dana Desk', role: 'receptionist', has_pin: true, active: true };
const doctors = (n: number): Staff[] =>
  Array.from({ length: n }, (_, i) => ({ id: 100 + i, name: `Dr ${i + 1}`, role: 'doctor', has_pin: false, active: true }));

function appointment(id: number, doctor: Staff): DaySheetRow {
  return {
    id, patient_id: 7, doctor_id: doctor.id, type_id: 1, start: '2026-07-06T13:00:00Z', end: '2026-07-06T13:30:00Z',
    tz: 'America/Toronto', local_start: '2026-07-06T09:00:00-04:00', local_end: '2026-07-06T09:30:00-04:00',
    duration_minutes: 30, topic: null, description: null, status: 'booked', cancel_reason: null, meeting: null,
    type_name: 'Consult', mode: 'in-person', doctor_name: doctor.name, patient_name: 'Jane Doe', outside_hours: false,
  };
}

/** Signs Dana in on a mocked backend whose day has `n` doctors with one appointment each. */
async function desk(n: number, handler: (cmd: string, args: Record<string, unknown>) => unknown = () => null) {
  const ds = doctors(n);
  const rows = ds.map((d, i) => appointment(1000 + i, d));
  await openDesk({ me: dana, doctors: ds, appointments: rows, types: [{ id: 1, name: 'Consult', minutes: 30, mode: 'in-person' }], handler });
  return { ds, rows };
}

const last = () => shown[shown.length - 1];
const label = () => document.getElementById('doctor-page')?.textContent;
const pager = () => document.getElementById('doctor-pager') as HTMLElement;
const press = (k: string) => document.body.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true }));

beforeEach(() => { vi.useFakeTimers(); document.body.replaceChildren(); shown.length = 0; });
afterEach(() => {
  // Lock, so that this desk's shortcuts stop listening before the next test's desk opens.
  press('Escape');
  document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'l', ctrlKey: true, bubbles: true }));
  vi.useRealTimers();
  clearMocks();
});

describe('the doctors pager', () => {
  it('gives the calendar ten doctors and only their appointments, and turns pages with ] and [', async () => {
    await desk(25);
    expect(pager().hidden).toBe(false);
    expect(label()).toBe('Doctors 1–10 of 25');
    expect(last().doctors.map((d) => d.name)).toEqual(doctors(10).map((d) => d.name));
    expect(last().appointments.map((a) => a.doctor_id)).toEqual(doctors(10).map((d) => d.id));

    press(']');
    expect(label()).toBe('Doctors 11–20 of 25');
    expect(last().doctors[0].id).toBe(110);
    press(']');
    expect(label()).toBe('Doctors 21–25 of 25');
    expect(last().appointments).toHaveLength(5);
    press(']');
    expect(label()).toBe('Doctors 1–10 of 25');
    press('[');
    expect(label()).toBe('Doctors 21–25 of 25');
  });

  it("shows one doctor's week at a time, picked in a list or turned with ] and [, and the day's page again after", async () => {
    await desk(25);
    press(']'); // Doctors 11–20 in the day view
    press('w');
    await vi.advanceTimersByTimeAsync(0);
    // The week of the first doctor that was in view, alone: seven readable columns.
    expect(last().doctors.map((d) => d.name)).toEqual(['Dr 11']);
    const pick = document.getElementById('doctor-pick') as HTMLSelectElement;
    expect([pick.hidden, document.getElementById('doctor-page')?.hidden]).toEqual([false, true]);
    expect(pick.options).toHaveLength(25);
    expect(pick.selectedOptions[0].text).toBe('Dr 11');
    pick.value = '19';
    pick.dispatchEvent(new Event('change', { bubbles: true }));
    expect(last().doctors.map((d) => d.name)).toEqual(['Dr 20']);
    expect(last().appointments.map((a) => a.doctor_id)).toEqual([119]);
    press(']');
    expect(last().doctors.map((d) => d.name)).toEqual(['Dr 21']);
    expect(pick.selectedOptions[0].text).toBe('Dr 21');
    press('d');
    await vi.advanceTimersByTimeAsync(0);
    expect(label()).toBe('Doctors 21–25 of 25');
    expect(pick.hidden).toBe(true);
  });

  it('has labelled buttons that keep the focus, and passes axe', async () => {
    await desk(25);
    const next = document.getElementById('doctors-next') as HTMLButtonElement;
    expect(next.getAttribute('aria-label')).toBe('Next doctors');
    expect(next.getAttribute('aria-keyshortcuts')).toBe(']');
    expect(pager().getAttribute('role')).toBe('group');
    expect(document.getElementById('doctor-page')?.getAttribute('aria-live')).toBe('polite');
    next.focus();
    next.click(); next.click(); next.click();
    expect(label()).toBe('Doctors 1–10 of 25');
    expect(document.activeElement).toBe(next);
    (document.getElementById('doctors-prev') as HTMLButtonElement).click();
    expect(label()).toBe('Doctors 21–25 of 25');

    vi.useRealTimers();
    // Contrast needs a layout engine (the end-to-end test checks it in the real window).
    const results = await axe.run(document.getElementById('calbar') as HTMLElement, { rules: { 'color-contrast': { enabled: false } } });
    expect(results.violations.map((v) => v.id)).toEqual([]);
  });

  it('stays out of the way when the doctors fit on one page', async () => {
    await desk(2);
    expect(pager().hidden).toBe(true);
    expect(last().doctors).toHaveLength(2);
    press(']');
    expect(last().doctors).toHaveLength(2);
  });

  it('keeps the page from day to day', async () => {
    await desk(25);
    press(']');
    press('ArrowRight');
    await vi.advanceTimersByTimeAsync(0);
    expect(label()).toBe('Doctors 11–20 of 25');
    expect(last().doctors[0].id).toBe(110);
  });

  it('prefills a booking with the first doctor in view, and shows the booked doctor’s page', async () => {
    const { ds } = await desk(25, (cmd) => {
      if (cmd === 'find_patients') return [{ id: 7, full_name: 'Jane Doe', email: null, phone: null, date_of_birth: null, note: null }];
      if (cmd === 'book') return appointment(2000, ds[23]);
      return null;
    });
    press(']');
    press('n');
    const doctor = document.getElementById('book-doctor') as HTMLSelectElement;
    expect(doctor.value).toBe('110');
    // Booked for another doctor than the prefilled one (the dialog lets the desk change it).
    doctor.value = '123';
    const input = document.getElementById('book-patient') as HTMLInputElement;
    input.value = 'Ja';
    input.dispatchEvent(new Event('input', { bubbles: true }));
    await vi.advanceTimersByTimeAsync(200);
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }));
    (document.getElementById('book-submit') as HTMLButtonElement).click();
    await vi.advanceTimersByTimeAsync(0);
    expect(document.querySelector('.overlay')).toBeNull();
    expect(label()).toBe('Doctors 21–25 of 25');
    expect(last().doctors.map((d) => d.id)).toContain(123);
  });

  it('opens a linked appointment on its doctor’s page, with its panel', async () => {
    const { ds, rows } = await desk(25, (cmd) => {
      if (cmd === 'appointment') return { ...rows[17], history: [], next_statuses: ['checked-in'], rights: rightsFor(dana, rows[17].doctor_id) } as AppointmentDetail;
      return null;
    });
    expect(ds[17].id).toBe(117);
    await events.deepLink.emit({ kind: 'appointment', id: rows[17].id });
    await vi.advanceTimersByTimeAsync(0);
    expect(label()).toBe('Doctors 11–20 of 25');
    expect(last().appointments.map((a) => a.id)).toContain(rows[17].id);
    expect((document.getElementById('panel') as HTMLElement).hidden).toBe(false);
  });
});
