// The calendar's pages of doctor columns.
import { describe, expect, it } from 'vitest';
import { clampPage, DOCTORS_PER_PAGE, pageCount, pageInfo, pageOfDoctor, pageOfSheet, turnPage } from './paging';
import type { DaySheet, DaySheetRow, Staff } from './ipc';

const doctor = (id: number): Staff => ({ id, name: `Dr ${id}`, role: 'doctor', has_pin: false, active: true });
const doctors = (n: number): Staff[] => Array.from({ length: n }, (_, i) => doctor(100 + i));

/** Two appointments per doctor, in the order the backend sends them (by start, not by doctor). */
function sheet(n: number): DaySheet {
  const ds = doctors(n);
  const appointments = [0, 1].flatMap((k) => ds.map((d, i) => ({
    id: k * 1000 + i, doctor_id: d.id, doctor_name: d.name, patient_name: `Patient ${i}`, start: `2026-07-06T1${k}:00:00Z`,
  }) as DaySheetRow));
  const busy = ds.map((d) => ({ doctor_id: d.id, start: '2026-07-06T12:00:00Z', end: '2026-07-06T12:30:00Z', local_start: '', local_end: '' }));
  return { clinic_name: 'Maple Clinic', tz: 'UTC', date: '2026-07-06', days: 1, doctors: ds, appointments, busy, may_book: true };
}

describe('doctor pages', () => {
  it('shows ten doctors a page, and always has a page', () => {
    expect(DOCTORS_PER_PAGE).toBe(10);
    expect(pageCount(0)).toBe(1);
    expect(pageCount(1)).toBe(1);
    expect(pageCount(10)).toBe(1);
    expect(pageCount(11)).toBe(2);
    expect(pageCount(40)).toBe(4);
    expect(pageCount(41)).toBe(5);
    expect(pageCount(9, 4)).toBe(3);
  });

  it('brings a page into range when the clinic has fewer doctors than it had', () => {
    expect(clampPage(3, 40)).toBe(3);
    expect(clampPage(4, 40)).toBe(3);
    expect(clampPage(3, 12)).toBe(1);
    expect(clampPage(-1, 40)).toBe(0);
    expect(clampPage(2, 0)).toBe(0);
  });

  it('turns pages forward and back, round from the last to the first', () => {
    expect(turnPage(0, 1, 40)).toBe(1);
    expect(turnPage(3, 1, 40)).toBe(0);
    expect(turnPage(0, -1, 40)).toBe(3);
    expect(turnPage(2, -1, 40)).toBe(1);
    expect(turnPage(0, 1, 5)).toBe(0);
    expect(turnPage(7, 1, 25)).toBe(0);
  });

  it('says which doctors a page holds, the last page being short', () => {
    expect(pageInfo(0, 40)).toEqual({ page: 0, pages: 4, first: 1, last: 10, total: 40 });
    expect(pageInfo(1, 40)).toEqual({ page: 1, pages: 4, first: 11, last: 20, total: 40 });
    expect(pageInfo(4, 35)).toEqual({ page: 3, pages: 4, first: 31, last: 35, total: 35 });
    expect(pageInfo(0, 2)).toEqual({ page: 0, pages: 1, first: 1, last: 2, total: 2 });
    expect(pageInfo(0, 0)).toEqual({ page: 0, pages: 1, first: 0, last: 0, total: 0 });
  });

  it('finds the page of the doctor a booking, a selection or a link is for', () => {
    const ds = doctors(40);
    expect(pageOfDoctor(ds, 100)).toBe(0);
    expect(pageOfDoctor(ds, 109)).toBe(0);
    expect(pageOfDoctor(ds, 110)).toBe(1);
    expect(pageOfDoctor(ds, 139)).toBe(3);
    expect(pageOfDoctor(ds, 139, 8)).toBe(4);
    expect(pageOfDoctor(ds, 7)).toBeNull();
  });

  it("gives the calendar only the page's doctors and their appointments", () => {
    const all = sheet(40);
    const second = pageOfSheet(all, 1);
    expect(second.doctors.map((d) => d.id)).toEqual(ds(110, 10));
    expect(second.appointments).toHaveLength(20);
    expect(second.appointments.every((a) => a.doctor_id >= 110 && a.doctor_id < 120)).toBe(true);
    // The backend's order (by start) is kept.
    expect(second.appointments.map((a) => a.start)).toEqual([...Array(10).fill('2026-07-06T10:00:00Z'), ...Array(10).fill('2026-07-06T11:00:00Z')]);
    expect(second.busy.map((b) => b.doctor_id)).toEqual(ds(110, 10));
    expect({ ...second, doctors: [], appointments: [], busy: [] }).toEqual({ ...all, doctors: [], appointments: [], busy: [] });
    // The whole sheet is left as it was.
    expect(all.doctors).toHaveLength(40);
    expect(all.appointments).toHaveLength(80);
  });

  it('gives the last page what is left, and a page out of range the last page', () => {
    expect(pageOfSheet(sheet(35), 3).doctors.map((d) => d.id)).toEqual(ds(130, 5));
    expect(pageOfSheet(sheet(35), 9).doctors.map((d) => d.id)).toEqual(ds(130, 5));
    expect(pageOfSheet(sheet(35), 9).appointments).toHaveLength(10);
  });

  it('leaves a clinic that fits on one page as it is', () => {
    const small = sheet(2);
    expect(pageOfSheet(small, 0)).toBe(small);
    const none = sheet(0);
    expect(pageOfSheet(none, 0)).toBe(none);
  });
});

/** Ids `from`, `from + 1`, … (`n` of them). */
function ds(from: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => from + i);
}
