// @vitest-environment jsdom
// The admin's audit log screen: offered to admins only, and its filters reach the command.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { startApp } from './app';
import type { AuditEntry, Staff } from './ipc';

vi.mock('./calendar', () => ({ ScheduleCalendar: class { show(): void {} reveal(): void {} markOpen(): void {} destroy(): void {} } }));

const admin: Staff = { id: 1, name: 'Eli Admin', role: 'admin', has_pin: true, active: true };
const dana: Staff = { id: 2, name: 'Dana Desk', role: 'receptionist', has_pin: true, active: true };
const ada: Staff = { id: 3, name: 'Dr Ada Lee', role: 'doctor', has_pin: true, active: true };
const booked: AuditEntry = {
  id: 1, at: '2026-07-06T13:30:00Z', actor: 'staff:2', actor_staff_id: 2, actor_name: 'Dana Desk', action: 'appointment_booked',
  doctor_id: 3, patient_id: 7, appointment_id: 11, detail: {}, patient_name: 'Jane Doe', doctor_name: 'Dr Ada Lee',
};
const checkedIn: AuditEntry = {
  ...booked, id: 2, at: '2026-07-06T13:40:00Z', action: 'appointment_status', detail: { from: 'booked', to: 'checked-in' },
};
const byWorker: AuditEntry = {
  ...booked, id: 3, at: '2026-07-06T13:41:00Z', actor: 'system:outbox', actor_staff_id: null, actor_name: null, action: 'meeting_ready',
  detail: {},
};
const byCli: AuditEntry = { ...byWorker, id: 4, actor: 'cli:root', action: 'backup_made', patient_name: null, doctor_name: null };

type Call = { cmd: string; args: Record<string, unknown> };

async function desk(me: Staff) {
  const calls: Call[] = [];
  mockIPC((cmd, args) => {
    if (cmd.startsWith('plugin:')) return null;
    calls.push({ cmd, args: (args ?? {}) as Record<string, unknown> });
    if (cmd === 'app_status') {
      return { setup_needed: false, clinic: { name: 'Maple Clinic', tz: 'America/Toronto', lock_minutes: 10, locale: 'en-CA' }, staff: [], signed_in: me };
    }
    if (cmd === 'schedule') return { clinic_name: 'Maple Clinic', tz: 'America/Toronto', date: '2026-07-06', days: 1, doctors: [ada], appointments: [], busy: [], may_book: true };
    if (cmd === 'list_all_staff' || cmd === 'list_staff') return [admin, dana, ada];
    if (cmd === 'find_patients') return [{ id: 7, full_name: 'Jane Doe', email: null, phone: null, date_of_birth: null, note: null }];
    if (cmd === 'audit_log') return [booked, checkedIn, byWorker, byCli];
    if (cmd === 'connections' || cmd === 'list_types') return [];
    return null;
  }, { shouldMockEvents: true });
  const root = document.createElement('div');
  document.body.append(root);
  await startApp(root);
  await vi.advanceTimersByTimeAsync(0);
  return calls;
}

const auditNav = () => document.querySelector<HTMLButtonElement>('nav button[data-screen="audit"]');
const change = (id: string, value: string) => {
  const el = document.getElementById(id) as HTMLInputElement | HTMLSelectElement;
  el.value = value;
  el.dispatchEvent(new Event('change', { bubbles: true }));
};

beforeEach(() => { vi.useFakeTimers(); document.body.replaceChildren(); });
afterEach(() => { vi.useRealTimers(); vi.restoreAllMocks(); clearMocks(); });

describe('audit log screen', () => {
  it('shows an admin the log in words and sends the filters to the command', async () => {
    const calls = await desk(admin);
    expect(auditNav()?.textContent).toBe('Audit log');
    // The admins' screens wait in the top bar's Clinic menu, which opens below its button.
    const menu = document.getElementById('admin-menu') as HTMLElement;
    const menuButton = document.getElementById('admin-menu-button') as HTMLButtonElement;
    expect([...document.querySelectorAll('nav > button')].map((b) => b.textContent)).toEqual(['Calendar', 'Patients', 'Video visits']);
    expect([menu.hidden, menuButton.getAttribute('aria-expanded')]).toEqual([true, 'false']);
    menuButton.click();
    expect([menu.hidden, menuButton.getAttribute('aria-expanded')]).toEqual([false, 'true']);
    expect(document.activeElement?.textContent).toBe('Staff');
    expect([...menu.querySelectorAll('button')].map((b) => b.textContent)).toEqual(['Staff', 'Appointment types', 'Hours', 'Settings', 'Audit log']);
    auditNav()?.click();
    await vi.advanceTimersByTimeAsync(0);
    expect([menu.hidden, menuButton.getAttribute('aria-current')]).toEqual([true, 'true']);
    const audits = () => calls.filter((c) => c.cmd === 'audit_log').map((c) => c.args);
    expect(audits()).toEqual([{ staff: null, patient: null, from: null, to: null, action: null }]);
    // Newest first, each in words: who (a person, the command line, a worker), what (and a
    // status change from and to), whose visit, with which doctor; no ids.
    const cells = [...document.querySelectorAll('.audit tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent));
    expect(cells.map((c) => c.slice(1))).toEqual([
      ['Command line (root)', 'Made a backup of the clinic', '', ''],
      ['Meeting worker', 'Meeting made', 'Jane Doe', 'Dr Ada Lee'],
      ['Dana Desk', 'Changed an appointment statusBooked → Checked in', 'Jane Doe', 'Dr Ada Lee'],
      ['Dana Desk', 'Booked an appointment', 'Jane Doe', 'Dr Ada Lee'],
    ]);
    expect(cells[3][0]).toBe('Mon, Jul 6, 2026 9:30 a.m.'); // 13:30 UTC in Toronto
    expect(document.querySelector('.audit tbody')?.textContent).not.toContain('#');
    const people = [...document.querySelectorAll('#audit-staff option')].map((o) => o.textContent);
    expect(people).toEqual(['Anyone', 'Eli Admin', 'Dana Desk', 'Dr Ada Lee']);

    change('audit-staff', '2');
    await vi.advanceTimersByTimeAsync(0);
    const patient = document.getElementById('audit-patient') as HTMLInputElement;
    patient.value = 'Ja';
    patient.dispatchEvent(new Event('input', { bubbles: true }));
    await vi.advanceTimersByTimeAsync(0);
    expect(document.querySelector('#audit-patients option')?.getAttribute('value')).toBe('Jane Doe (#7)');
    change('audit-patient', 'Jane Doe (#7)');
    change('audit-from', '2026-07-01');
    change('audit-to', '2026-07-31');
    change('audit-action', 'patient_changed');
    await vi.advanceTimersByTimeAsync(0);
    expect(audits().at(-1)).toEqual({ staff: 2, patient: 7, from: '2026-07-01', to: '2026-07-31', action: 'patient_changed' });
    const actions = [...document.querySelectorAll('#audit-action option')].map((o) => o.textContent);
    expect(actions).toContain("Changed a patient's details");
    for (const words of ["Opened a patient's record", 'Opened an appointment', 'Printed a day sheet', 'Exported the audit log']) {
      expect(actions).toContain(words);
    }
  });

  it('offers a receptionist no audit log', async () => {
    const calls = await desk(dana);
    expect(document.querySelector('nav button[data-screen="staff"]')).toBeNull();
    expect(auditNav()).toBeNull();
    expect(calls.some((c) => c.cmd === 'audit_log')).toBe(false);
  });
});
