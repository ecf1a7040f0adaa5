// Paging the calendar's doctor columns. A clinic of 40 doctors cannot be read in 40 columns (at
// 1,400 px each is 35 px wide), and drawing them all with a full day of appointments costs time
// on every change: the calendar shows one page of doctors at a time, and only that page's
// appointments are drawn. Pure functions, so that the rules are tested without the calendar.
import type { DaySheet } from './ipc';

/** Doctors per page: about 120 px a column in the default 1,280 px window. */
export const DOCTORS_PER_PAGE = 10;

/** Where a page stands among all the doctors, as the pager shows it ("Doctors 11–20 of 40"). */
export interface PageInfo {
  /** The page, from 0. */
  page: number;
  /** How many pages (at least 1, even with no doctors). */
  pages: number;
  /** The position of the page's first doctor, from 1 (0 when there are none). */
  first: number;
  /** The position of its last doctor, from 1 (0 when there are none). */
  last: number;
  /** How many doctors there are in all. */
  total: number;
}

/** How many pages `total` doctors make: at least one, so that an empty clinic has a page 0. */
export function pageCount(total: number, size = DOCTORS_PER_PAGE): number {
  return Math.max(1, Math.ceil(total / size));
}

/** `page` brought into range: a clinic that lost doctors since has fewer pages. */
export function clampPage(page: number, total: number, size = DOCTORS_PER_PAGE): number {
  return Math.min(Math.max(0, Math.trunc(page)), pageCount(total, size) - 1);
}

/**
 * The page `delta` pages on from `page`, going round from the last page to the first and back:
 * the pager's buttons are never disabled, so the focus never falls off them.
 */
export function turnPage(page: number, delta: number, total: number, size = DOCTORS_PER_PAGE): number {
  const pages = pageCount(total, size);
  return (((clampPage(page, total, size) + delta) % pages) + pages) % pages;
}

/** The page and the positions shown for it. */
export function pageInfo(page: number, total: number, size = DOCTORS_PER_PAGE): PageInfo {
  const p = clampPage(page, total, size);
  return {
    page: p,
    pages: pageCount(total, size),
    first: total === 0 ? 0 : p * size + 1,
    last: Math.min(total, (p + 1) * size),
    total,
  };
}

/** The page holding the doctor `doctorId`, or null when that doctor is not in `doctors`. */
export function pageOfDoctor(doctors: readonly { id: number }[], doctorId: number, size = DOCTORS_PER_PAGE): number | null {
  const index = doctors.findIndex((d) => d.id === doctorId);
  return index < 0 ? null : Math.floor(index / size);
}

/**
 * The part of a sheet the calendar shows on `page`: that page's doctors, in the sheet's order,
 * and only their appointments. The sheet itself is left as it is.
 */
export function pageOfSheet(sheet: DaySheet, page: number, size = DOCTORS_PER_PAGE): DaySheet {
  if (sheet.doctors.length <= size) return sheet;
  const start = clampPage(page, sheet.doctors.length, size) * size;
  const doctors = sheet.doctors.slice(start, start + size);
  const ids = new Set(doctors.map((d) => d.id));
  return {
    ...sheet,
    doctors,
    appointments: sheet.appointments.filter((a) => ids.has(a.doctor_id)),
    busy: sheet.busy.filter((b) => ids.has(b.doctor_id)),
  };
}
