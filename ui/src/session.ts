// Who is at the desk and the clinic they work for, shared by the signed-in desk's parts, and what
// that person's role lets the desk offer (the backend enforces the same rules on every command).
import type { Clinic, Staff } from './ipc';

export interface Session {
  readonly me: Staff;
  /** The clinic's settings as they are now: an admin's change on the settings screen replaces them. */
  clinic: Clinic;
}

/** Receptionists and admins book, move and cancel; doctors see their day. */
export function canBook(me: Staff): boolean {
  return me.role !== 'doctor';
}

/** Doctors connect their own video-visit accounts; admins anyone's. */
export function canConnect(me: Staff): boolean {
  return me.role !== 'receptionist';
}
