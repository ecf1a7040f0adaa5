// The one module that talks to the Rust backend. Components never call `invoke` directly:
// they call these functions, which the UI tests mock.
import { invoke } from '@tauri-apps/api/core';

/** The closed set of error kinds the backend sends (see frontdesk-core's ErrorKind). */
export type ErrorKind =
  | 'validation'
  | 'not_found'
  | 'conflict'
  | 'setup'
  | 'unavailable'
  | 'internal';

/** Every failed command rejects with this shape; `message` is safe to show. */
export interface AppError {
  kind: ErrorKind;
  message: string;
}

export type Status = 'booked' | 'checked-in' | 'in-progress' | 'completed' | 'cancelled' | 'no-show';
export type Mode = 'in-person' | 'zoom' | 'teams';

export interface DayRow {
  id: number;
  start: string;
  end: string;
  local_start: string;
  local_end: string;
  tz: string;
  status: Status;
  mode: Mode;
  type_name: string;
  doctor_id: number;
  doctor_name: string;
  patient_name: string;
}

export interface DayView {
  clinic_name: string;
  tz: string;
  date: string;
  doctors: { id: number; name: string }[];
  appointments: DayRow[];
}

export function isAppError(e: unknown): e is AppError {
  return typeof e === 'object' && e !== null && 'kind' in e && 'message' in e;
}

/** The schedule of one local day in the clinic's zone (today when `date` is omitted). */
export function dayView(date?: string): Promise<DayView> {
  return invoke<DayView>('day_view', { date: date ?? null });
}
