// @vitest-environment jsdom
// The patient's e-mail: the panel's E-mail section in each state (sent, waiting and why, failed
// with the server's words, no address), Resend by role, the refresh when the mail worker changes
// a mail, and the booking dialog's note for a patient without an address.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import axe from 'axe-core';
import { renderPanel } from './panel';
import type { PanelContext } from './panel';
import { openBookingDialog } from './booking';
import { openDesk, recordingBackend, rightsFor } from './testing';
import type { Call } from './testing';
import { events } from './ipc';
import type { AppointmentDetail, DaySheetRow, MailStatus, Patient, Staff, Status } from './ipc';

vi.mock('./calendar', () => ({ ScheduleCalendar: class { show(): void {} reveal(): void {} markOpen(): void {} destroy(): void {} } }));

const admin: Staff = { id: 1, name: 'Eli Admin', role: 'admin', has_pin: true, active: true };
const dana: Staff = { id: 2, name: 'Dana Desk', role: 'receptionist', has_pin: true, active: true };
const ada: Staff = { id: 3, name: 'Dr Ada Lee', role: 'doctor', has_pin: true, active: true };
const ADDRESS = 'jane.doe@example.org';

const mail = (m: Partial<MailStatus> = {}): MailStatus => ({
  appointment_id: 9, state: 'pending', sequence: 0, sent_method: null, sent_sequence: null, sent_at: null, due: '2026-07-06T13:00:00Z',
  tries: 0, reason: null, waiting_for_meeting: false, has_address: true, ...m,
});

function detail(status: Status = 'booked', me: Staff = dana): AppointmentDetail {
  return {
    rights: rightsFor(me, ada.id, status),
    id: 9, patient_id: 7, doctor_id: ada.id, type_id: 1,
    start: '2026-07-06T13:30:00Z', end: '2026-07-06T14:00:00Z', tz: 'America/Toronto',
    local_start: '2026-07-06T09:30:00-04:00', duration_minutes: 30, topic: null, description: null,
    status, cancel_reason: status === 'cancelled' ? 'Called' : null, meeting: null, history: [],
    next_statuses: status === 'cancelled' ? [] : ['checked-in', 'cancelled'],
  };
}


/** A mocked backend answering `mail_status` with `current()`; every call is recorded. */
function backend(current: () => MailStatus | null, handler: (cmd: string) => unknown = () => null): Call[] {
  return recordingBackend((cmd) => (cmd === 'mail_status' ? current() : handler(cmd)));
}

const settle = async () => { for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0)); };

/** Shows the panel of appointment 9 (with mail `m`) to `me`, once its mail is read. */
async function panel(me: Staff, m: MailStatus | null, status: Status = 'booked'): Promise<Call[]> {
  const calls = backend(() => m);
  await showPanel(me, status);
  return calls;
}

/** Shows the panel of appointment 9 to `me` on the backend already mocked, once its mail is read. */
async function showPanel(me: Staff, status: Status = 'booked'): Promise<void> {
  document.body.replaceChildren();
  const root = document.createElement('aside');
  root.id = 'panel';
  document.body.append(root);
  const ctx: PanelContext = {
    clinicTz: 'America/Toronto', me, onChanged: () => undefined, onClose: () => undefined, onReschedule: () => undefined, onStatus: () => undefined,
    names: { patient: 'Jane Doe', doctor: 'Dr Ada Lee', type: 'Consult' },
  };
  renderPanel(root, detail(status, me), ctx);
  await settle();
}

const section = () => document.getElementById('panel-mail') as HTMLElement;
const text = () => section().textContent ?? '';
const resend = () => document.getElementById('mail-resend') as HTMLButtonElement | null;

beforeEach(() => { document.body.replaceChildren(); });
afterEach(() => { vi.useRealTimers(); clearMocks(); vi.restoreAllMocks(); });

describe('the E-mail section of the panel', () => {
  it('reads the mail of the opened appointment, once, with its id', async () => {
    const calls = await panel(dana, mail());
    expect(calls).toEqual([{ cmd: 'mail_status', args: { appointmentId: 9 } }]);
    expect(section().hidden).toBe(false);
  });

  it('says when the invitation, its update or the cancellation was sent, in the clinic’s time', async () => {
    await panel(dana, mail({ state: 'sent', sent_method: 'REQUEST', sent_at: '2026-07-06T13:31:00Z', due: null }));
    expect(section().dataset.state).toBe('sent');
    expect(text()).toContain('Patient e-mail');
    expect(text()).toMatch(/Invitation sent 2026-07-06 9:31.a\.m\./);
    expect(resend()?.textContent).toBe('Resend invitation');

    await panel(dana, mail({ state: 'sent', sequence: 2, sent_sequence: 2, sent_method: 'REQUEST', sent_at: '2026-07-06T14:05:00Z', due: null }));
    expect(text()).toMatch(/Updated invitation sent 2026-07-06 10:05.a\.m\./);

    await panel(dana, mail({ state: 'sent', sequence: 3, sent_sequence: 3, sent_method: 'CANCEL', sent_at: '2026-07-07T03:10:00Z', due: null }), 'cancelled');
    // 03:10 UTC is still the evening before in Toronto.
    expect(text()).toMatch(/Cancellation sent 2026-07-06 11:10.p\.m\./);
    expect(resend()?.textContent).toBe('Resend cancellation');
  });

  it('says why a pending mail waits: the meeting’s join link, or the next try and the reason', async () => {
    await panel(dana, mail({ waiting_for_meeting: true, reason: 'waiting for the video meeting\'s join link' }));
    expect(section().dataset.waiting).toBe('meeting');
    expect(text()).toContain('E-mail not sent yet');
    expect(text()).toContain('Waiting for the video meeting’s join link');
    expect(resend()).toBeNull();

    await panel(dana, mail({ tries: 3, due: '2026-07-06T14:15:00Z', reason: 'the mail server could not be reached: connection refused' }));
    expect(text()).toMatch(/Why it waits: the mail server could not be reached: connection refused \(next try at 2026-07-06 10:15.a\.m\.\)/);
    expect(resend()?.textContent).toBe('Send invitation now');

    // Just queued: it goes within seconds, so there is nothing to press.
    await panel(dana, mail());
    expect(text()).toContain('this takes a few seconds');
    expect(resend()).toBeNull();
  });

  it('shows the server’s reason for a failure, and what was sent before', async () => {
    await panel(dana, mail({
      state: 'failed', sequence: 1, tries: 1, due: null, sent_method: 'REQUEST', sent_sequence: 0, sent_at: '2026-07-05T13:00:00Z',
      reason: '550 5.1.1 <(the patient\'s address)>: mailbox unavailable',
    }));
    expect(section().dataset.state).toBe('failed');
    expect(text()).toContain('E-mail failed');
    expect(text()).toContain('The mail server refused it: 550 5.1.1 <(the patient\'s address)>: mailbox unavailable');
    expect(text()).toMatch(/Earlier: Invitation sent 2026-07-05 9:00.a\.m\./);
    expect(resend()?.textContent).toBe('Resend invitation');
  });

  it('says the patient has no e-mail address, and offers nothing to send', async () => {
    await panel(dana, mail({ state: 'skipped', due: null, has_address: false, reason: 'the patient has no e-mail address' }));
    expect(section().dataset.state).toBe('skipped');
    expect(text()).toContain('No e-mail sent');
    expect(text()).toContain('The patient has no e-mail address: no invitation is sent.');
    expect(resend()).toBeNull();
    // An address added since the booking: the invitation can go now.
    await panel(dana, mail({ state: 'skipped', due: null, has_address: true, reason: 'the patient has no e-mail address' }));
    expect(text()).toContain('the patient had no e-mail address then');
    expect(resend()?.textContent).toBe('Send invitation now');
    // Cancelled before any invitation went: nothing to tell, nothing to send.
    await panel(dana, mail({ state: 'skipped', due: null, reason: 'cancelled before any invitation was sent; nothing to tell' }), 'cancelled');
    expect(text()).toContain('cancelled before any invitation went out');
    expect(resend()).toBeNull();
    // An address removed after the invitation went.
    await panel(dana, mail({ state: 'sent', sent_method: 'REQUEST', sent_at: '2026-07-06T13:31:00Z', due: null, has_address: false }));
    expect(text()).toContain('no e-mail address now, so nothing more can be sent');
    expect(resend()).toBeNull();
  });

  it('hides the section for an appointment booked before Frontdesk sent e-mail', async () => {
    await panel(dana, null);
    expect(section().hidden).toBe(true);
  });

  it('offers Resend to the desk and admins, not to doctors', async () => {
    const failed = mail({ state: 'failed', tries: 1, due: null, reason: '554 refused' });
    await panel(dana, failed);
    expect(resend()).not.toBeNull();
    await panel(admin, failed);
    expect(resend()).not.toBeNull();
    await panel(ada, failed);
    expect(resend()).toBeNull();
    expect(text()).toContain('554 refused');
  });

  it('Resend asks the backend and shows the mail queued again', async () => {
    let current = mail({ state: 'failed', tries: 1, due: null, reason: '554 refused' });
    const calls = backend(() => current, (cmd) => {
      if (cmd === 'resend_mail') { current = mail(); return current; }
      return null;
    });
    await showPanel(dana);
    resend()?.click();
    await settle();
    expect(calls.map((c) => [c.cmd, c.args])).toEqual([
      ['mail_status', { appointmentId: 9 }], ['resend_mail', { appointmentId: 9 }],
    ]);
    expect(section().dataset.state).toBe('pending');
    expect(text()).toContain('Queued: it goes to the clinic’s mail server within seconds.');
    expect(resend()).toBeNull();
  });

  it('shows why a Resend was refused, and lets it be tried again', async () => {
    backend(() => mail({ state: 'failed', tries: 1, due: null, reason: '554 refused' }), (cmd) => {
      if (cmd === 'resend_mail') throw { kind: 'forbidden', message: 'only receptionist or admin can do this; you are signed in as doctor', field: null };
      return null;
    });
    await showPanel(dana);
    resend()?.click();
    await settle();
    expect(section().querySelector('[role=alert]')?.textContent).toBe('only receptionist or admin can do this; you are signed in as doctor');
    expect(resend()?.disabled).toBe(false);
    expect(section().dataset.state).toBe('failed');
  });

  it('never shows an address, even if one were sent', async () => {
    await panel(dana, mail({ state: 'failed', tries: 1, due: null, reason: '550 no such user' }));
    expect(document.body.textContent).not.toContain(ADDRESS);
  });

  it('has no accessibility violation in any state', async () => {
    for (const m of [
      mail(), mail({ waiting_for_meeting: true }), mail({ state: 'sent', sent_method: 'REQUEST', sent_at: '2026-07-06T13:31:00Z' }),
      mail({ state: 'failed', tries: 1, reason: '554 refused' }), mail({ state: 'skipped', has_address: false }),
    ]) {
      await panel(admin, m);
      const rules = { 'color-contrast': { enabled: false }, 'label-content-name-mismatch': { enabled: false } };
      const results = await axe.run(document.body, { rules });
      expect(results.violations.map((v) => v.id), m.state).toEqual([]);
    }
  });
});

describe('mail changes from the mail worker', () => {
  it('read the open panel’s mail again when its appointment’s mail changed, and only then', async () => {
    vi.useFakeTimers();
    const row = { ...detail(), local_end: '2026-07-06T10:00:00-04:00', type_name: 'Consult', mode: 'in-person', doctor_name: 'Dr Ada Lee', patient_name: 'Jane Doe', outside_hours: false } as DaySheetRow;
    let current = mail();
    const calls = await openDesk({
      me: dana, doctors: [ada], appointments: [row],
      handler: (cmd) => (cmd === 'mail_status' ? current : cmd === 'appointment' ? detail() : null),
    });
    // Open appointment 9's panel (as a frontdesk:// link would).
    await events.deepLink.emit({ kind: 'appointment', id: 9 });
    await vi.advanceTimersByTimeAsync(100);
    const reads = () => calls.filter((c) => c.cmd === 'mail_status').length;
    expect(reads()).toBe(1);
    expect(text()).toContain('this takes a few seconds');

    await events.mailChanged.emit({ appointment_id: 42 });
    await vi.advanceTimersByTimeAsync(100);
    expect(reads()).toBe(1);

    current = mail({ state: 'sent', sent_method: 'REQUEST', sent_at: '2026-07-06T13:31:00Z', due: null });
    await events.mailChanged.emit({ appointment_id: 9 });
    await vi.advanceTimersByTimeAsync(100);
    expect(reads()).toBe(2);
    expect(section().dataset.state).toBe('sent');
    expect(text()).toMatch(/Invitation sent 2026-07-06 9:31.a\.m\./);
  });
});

describe('the booking dialog', () => {
  const jane: Patient = { id: 1, full_name: 'Jane Doe', email: null, phone: '416 555 0100', date_of_birth: null, note: null };
  const sam: Patient = { id: 2, full_name: 'Sam Roe', email: 'sam.roe@example.org', phone: null, date_of_birth: null, note: null };

  /** Opens the dialog, searches for `text` and picks the first patient found (Enter). */
  async function pick(found: Patient): Promise<HTMLElement> {
    mockIPC((cmd) => (cmd === 'find_patients' ? [found] : null));
    openBookingDialog({
      clinicTz: 'America/Toronto', doctors: [ada], types: [], slot: { date: '2026-07-06', time: '09:30', doctorId: ada.id },
      onBooked: () => undefined, onClose: () => undefined,
    });
    const input = document.getElementById('book-patient') as HTMLInputElement;
    input.value = found.full_name.slice(0, 2);
    input.dispatchEvent(new Event('input'));
    await new Promise((r) => setTimeout(r, 200));
    await settle();
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    return document.getElementById('book-patient-note') as HTMLElement;
  }

  it('notes calmly that a patient without an e-mail address gets no invitation', async () => {
    const note = await pick(jane);
    expect(note.textContent).toBe('No e-mail address: the patient will not get an invitation.');
    expect(note.getAttribute('role')).toBe('status');
    expect(note.classList.contains('field-error')).toBe(false);
    expect(document.getElementById('book-patient')?.getAttribute('aria-describedby')).toContain('book-patient-note');
    // Typing again (another patient) clears it.
    const input = document.getElementById('book-patient') as HTMLInputElement;
    input.value = 'S';
    input.dispatchEvent(new Event('input'));
    expect(note.textContent).toBe('');
  });

  it('says nothing for a patient with an address', async () => {
    const note = await pick(sam);
    expect(note.textContent).toBe('');
    expect(document.body.textContent).not.toContain('sam.roe@example.org');
  });
});
