// Shared by the UI tests: a mocked backend that records every call, and the desk opened on it by
// a signed-in member of staff. Not part of the app (no entry point imports it).
import { vi } from 'vitest';
import { mockIPC } from '@tauri-apps/api/mocks';
import { startApp } from './app';
import type { AppointmentType, BusyBlock, Connection, DaySheetRow, Staff, Status, VisitRights } from './ipc';

export type Call = { cmd: string; args: Record<string, unknown> };
type Handler = (cmd: string, args: Record<string, unknown>) => unknown;

export const CLINIC = { name: 'Maple Clinic', tz: 'America/Toronto', lock_minutes: 10, locale: 'en-CA', neutral_titles: false, own_patients_only: false };

/** Mocks the backend with `handler` (plugin calls answer nothing); every other call is recorded. */
export function recordingBackend(handler: Handler): Call[] {
  const calls: Call[] = [];
  mockIPC((cmd, args) => {
    if (cmd.startsWith('plugin:')) return null;
    const recorded = (args ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args: recorded });
    return handler(cmd, recorded);
  }, { shouldMockEvents: true });
  return calls;
}

export interface DeskBackend {
  me: Staff;
  doctors: Staff[];
  appointments?: DaySheetRow[];
  /** Other doctors' visits as busy time (a doctor under the clinic's minimum-necessary setting). */
  busy?: BusyBlock[];
  types?: AppointmentType[];
  connections?: () => Connection[];
  /** Answers every other command. */
  handler?: Handler;
}

/** Opens the app with `me` signed in, on a mocked backend whose day (2026-07-06) is given. */
export async function openDesk(backend: DeskBackend): Promise<Call[]> {
  const { me, doctors, appointments = [], busy = [], types = [], connections = () => [], handler = () => null } = backend;
  const calls = recordingBackend((cmd, args) => {
    if (cmd === 'app_status') return { setup_needed: false, clinic: CLINIC, staff: [], signed_in: me, must_change_pin: false, version: '0.1.0' };
    if (cmd === 'schedule') return { clinic_name: CLINIC.name, tz: CLINIC.tz, date: '2026-07-06', days: 1, doctors, appointments, busy, may_book: me.role !== 'doctor' };
    if (cmd === 'list_types') return types;
    if (cmd === 'connections') return connections();
    return handler(cmd, args);
  });
  const root = document.createElement('div');
  document.body.append(root);
  await startApp(root);
  await vi.advanceTimersByTimeAsync(0);
  return calls;
}

/**
 * What the backend answers `me` may do with a visit of doctor `doctorId` in `status` (the core's
 * `Actor::rights_on`, restated for mocked backends; `tests/app.rs` checks the real one).
 */
export function rightsFor(me: Staff, doctorId: number, status: Status = 'booked'): VisitRights {
  const books = me.role !== 'doctor';
  const own = me.role !== 'doctor' || me.id === doctorId;
  return {
    reschedule: books && (status === 'booked' || status === 'checked-in'),
    cancel: books && (status === 'booked' || status === 'checked-in'),
    change_status: own,
    start_meeting: me.role === 'admin' || (me.role === 'doctor' && me.id === doctorId),
    retry_meeting: own,
    resend_mail: books,
  };
}
