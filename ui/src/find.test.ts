// @vitest-environment jsdom
// Find (`/`): one search over patients and their visits, answering as the desk types; the arrow
// keys, Enter and Escape; a visit opened in the calendar, a patient in their record, and the
// record's list of visits.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { clearMocks } from '@tauri-apps/api/mocks';
import axe from 'axe-core';
import { openDesk, rightsFor } from './testing';
import type { Call } from './testing';
import { formatDate, formatTime } from './messages';
import type { AppointmentDetail, DaySheetRow, Found, PatientVisits, Staff, Visit } from './ipc';

// The calendar only records the visits it is to reveal here (calendar.test.ts tests it).
const { revealed } = vi.hoisted(() => ({ revealed: [] as number[] }));
vi.mock('./calendar', () => ({ ScheduleCalendar: class { show(): void {} reveal(id: number): void { revealed.push(id); } markOpen(): void {} destroy(): void {} } }));

const dana: Staff = { id: 2, name: 'Dana Desk', role: 'receptionist', has_pin: true, active: true };
const ada: Staff = { id: 3, name: 'Dr Ada Lee', role: 'doctor', has_pin: true, active: true };
const TZ = 'America/Toronto';

const jane = { id: 7, full_name: 'Jane Doe', email: 'jane@example.com', phone: '416 555 0101', date_of_birth: '1980-02-03', note: null };
const janet = { id: 8, full_name: 'Janet Roe', email: null, phone: null, date_of_birth: null, note: null };

function visit(id: number, start: string, status: Visit['status'] = 'booked'): Visit {
  const end = new Date(Date.parse(start) + 30 * 60_000).toISOString().replace('.000Z', 'Z');
  return {
    id, patient_id: jane.id, doctor_id: ada.id, doctor_name: ada.name, type_name: 'Consult', mode: 'in-person',
    start, end, tz: TZ, local_start: start, local_end: end, status,
  };
}
const next = visit(11, '2026-07-20T15:00:00Z');
const last = visit(10, '2026-06-15T13:00:00Z', 'no-show');
const found: Found = { patients: [{ ...jane, next, last }, { ...janet, next: null, last: null }], more: false };
const record: PatientVisits = {
  patient_id: jane.id, upcoming: [next], past: [visit(9, '2026-07-01T13:00:00Z', 'cancelled'), last], more_upcoming: false, more_past: true,
};

/** The day sheet's row of visit 11 (on 2026-07-20), as the calendar has it. */
const row: DaySheetRow = {
  ...next, type_id: 1, duration_minutes: 30, topic: null, description: null, cancel_reason: null, meeting: null,
  patient_name: jane.full_name, local_start: '2026-07-20T11:00:00-04:00', local_end: '2026-07-20T11:30:00-04:00', outside_hours: false,
};

async function desk(me: Staff = dana): Promise<Call[]> {
  return openDesk({
    me, doctors: [ada], appointments: [row],
    handler: (cmd, args) => {
      if (cmd === 'find') return args.text === 'nobody' ? { patients: [], more: false } : found;
      if (cmd === 'appointment') return { ...row, history: [], next_statuses: ['checked-in'], rights: rightsFor(me, row.doctor_id) } as AppointmentDetail;
      if (cmd === 'patient') return jane;
      if (cmd === 'patient_visits') return record;
      if (cmd === 'find_patients') return [jane];
      return null;
    },
  });
}

const press = (key: string, on: Element = document.body) =>
  on.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }));
const box = () => document.getElementById('find-input') as HTMLInputElement | null;
const options = () => [...document.querySelectorAll<HTMLElement>('#find-results [role="option"]')];
const selected = () => options().find((o) => o.getAttribute('aria-selected') === 'true');
async function type(text: string): Promise<void> {
  const input = box() as HTMLInputElement;
  input.value = text;
  input.dispatchEvent(new Event('input', { bubbles: true }));
  await vi.advanceTimersByTimeAsync(0);
}

beforeEach(() => { vi.useFakeTimers(); document.body.replaceChildren(); revealed.length = 0; });
afterEach(() => {
  // Lock, so that this desk's shortcuts stop listening before the next test's desk opens.
  document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'l', ctrlKey: true, bubbles: true }));
  vi.useRealTimers();
  clearMocks();
});

describe('Find', () => {
  it('opens with / anywhere but in a field, with the box focused', async () => {
    await desk();
    const field = document.createElement('input');
    document.body.append(field);
    field.focus();
    press('/', field);
    expect(box()).toBeNull();

    press('/');
    expect(box()).not.toBeNull();
    expect(document.activeElement).toBe(box());
    expect(document.querySelector('[role="dialog"]')?.getAttribute('aria-labelledby')).toBe('find-title');
    // `/` typed into the box is text, not a second dialog.
    press('/', box() as HTMLInputElement);
    expect(document.querySelectorAll('.find-overlay')).toHaveLength(1);
  });

  it('asks at the first letter, one search at a time (letters typed meanwhile together), and lists patients with their next and last visit', async () => {
    const calls = await desk();
    press('/');
    for (const text of ['j', 'ja', 'jan']) {
      (box() as HTMLInputElement).value = text;
      (box() as HTMLInputElement).dispatchEvent(new Event('input', { bubbles: true }));
    }
    expect(calls.filter((c) => c.cmd === 'find').map((c) => c.args)).toEqual([{ text: 'j' }]);
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.filter((c) => c.cmd === 'find').map((c) => c.args)).toEqual([{ text: 'j' }, { text: 'jan' }]);

    const groups = [...document.querySelectorAll('#find-results [role="group"]')];
    expect(groups.map((g) => g.getAttribute('aria-label'))).toEqual(['Jane Doe', 'Janet Roe']);
    expect(options().map((o) => o.dataset.kind)).toEqual(['patient', 'visit', 'visit', 'patient']);
    const [patient, nextVisit, lastVisit, nobody] = options().map((o) => o.textContent);
    expect(patient).toBe('Jane Doe 1980-02-03 · 416 555 0101 · jane@example.com');
    expect(nextVisit).toBe(`Next: ${formatDate('2026-07-20')} · ${formatTime(next.start, TZ)} · Consult · Dr Ada Lee · Booked`);
    expect(lastVisit).toBe(`Last: ${formatDate('2026-06-15')} · ${formatTime(last.start, TZ)} · Consult · Dr Ada Lee · No-show`);
    expect(nobody).toContain('no visits');
    expect(document.getElementById('find-status')?.textContent).toBe('2 patients');
    expect(box()?.getAttribute('aria-expanded')).toBe('true');

    await type('nobody');
    expect(options()).toEqual([]);
    expect(document.getElementById('find-status')?.textContent).toBe('No patient found');
  });

  it('moves through the answers with the arrow keys', async () => {
    await desk();
    press('/');
    await type('jan');
    const input = box() as HTMLInputElement;
    expect(selected()?.dataset.kind).toBe('patient');
    press('ArrowDown', input);
    press('ArrowDown', input);
    expect(selected()?.dataset.id).toBe('10');
    expect(input.getAttribute('aria-activedescendant')).toBe(selected()?.id);
    press('ArrowDown', input);
    press('ArrowDown', input);
    expect(selected()?.dataset.id).toBe('8'); // stays on the last
    press('ArrowUp', input);
    expect(selected()?.dataset.id).toBe('10');
    expect(options().filter((o) => o.getAttribute('aria-selected') === 'true')).toHaveLength(1);
  });

  it('opens a visit in the calendar on its day, selected, with Enter', async () => {
    const calls = await desk();
    press('/');
    await type('jan');
    press('ArrowDown', box() as HTMLInputElement);
    const before = calls.length;
    press('Enter', box() as HTMLInputElement);
    await vi.advanceTimersByTimeAsync(0);

    expect(box()).toBeNull();
    const after = calls.slice(before);
    expect(after[0]).toEqual({ cmd: 'appointment', args: { id: 11 } });
    expect(after.filter((c) => c.cmd === 'schedule').map((c) => c.args.date)).toEqual(['2026-07-20']);
    expect((document.getElementById('panel') as HTMLElement).hidden).toBe(false);
    expect(document.querySelector('nav button[data-screen="calendar"]')?.getAttribute('aria-current')).toBe('true');
    expect(revealed).toEqual([11]);
  });

  it('opens a visit with a click, from another screen', async () => {
    const calls = await desk();
    (document.querySelector('nav button[data-screen="patients"]') as HTMLButtonElement).click();
    await vi.advanceTimersByTimeAsync(0);
    (document.getElementById('find-button') as HTMLButtonElement).click();
    await type('jan');
    options()[2].click();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.filter((c) => c.cmd === 'appointment').map((c) => c.args.id)).toContain(10);
    expect(document.getElementById('calendar')).not.toBeNull();
  });

  it('closes with Escape and gives focus back, leaving the open panel alone', async () => {
    await desk();
    press('/');
    await type('jan');
    press('ArrowDown', box() as HTMLInputElement);
    press('Enter', box() as HTMLInputElement);
    await vi.advanceTimersByTimeAsync(0);
    const panel = document.getElementById('panel') as HTMLElement;
    expect(panel.hidden).toBe(false);

    const button = document.getElementById('find-button') as HTMLButtonElement;
    button.focus();
    button.click();
    await type('jan');
    press('Escape', box() as HTMLInputElement);
    expect(document.querySelector('.find-overlay')).toBeNull();
    expect(document.activeElement).toBe(button);
    expect(panel.hidden).toBe(false);
    await vi.advanceTimersByTimeAsync(0);
    expect(document.querySelector('.find-overlay')).toBeNull();
  });

  it('opens a patient’s record with their visits, each opening in the calendar', async () => {
    const calls = await desk();
    press('/');
    await type('jan');
    press('Enter', box() as HTMLInputElement);
    await vi.advanceTimersByTimeAsync(0);

    expect(box()).toBeNull();
    expect(document.querySelector('nav button[data-screen="patients"]')?.getAttribute('aria-current')).toBe('true');
    expect(calls.filter((c) => c.cmd === 'patient' || c.cmd === 'patient_visits').map((c) => [c.cmd, c.args.id]))
      .toEqual([['patient', 7], ['patient_visits', 7]]);
    expect((document.getElementById('p-name') as HTMLInputElement).value).toBe('Jane Doe');
    expect(document.activeElement?.id).toBe('p-name');
    const list = document.getElementById('patient-visits') as HTMLElement;
    const upcoming = [...list.querySelectorAll('[aria-labelledby="visits-upcoming"] button.visit')];
    const past = [...list.querySelectorAll('[aria-labelledby="visits-past"] button.visit')];
    expect(upcoming.map((b) => b.getAttribute('data-visit'))).toEqual(['11']);
    expect(past.map((b) => b.getAttribute('data-visit'))).toEqual(['9', '10']);
    expect(past[0].textContent).toBe(`${formatDate('2026-07-01')} · ${formatTime('2026-07-01T13:00:00Z', TZ)} · Consult · Dr Ada Lee · Cancelled`);
    expect(list.textContent).toContain('Older visits are not listed here.');

    const before = calls.length;
    (upcoming[0] as HTMLButtonElement).click();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.slice(before)[0]).toEqual({ cmd: 'appointment', args: { id: 11 } });
    expect(calls.slice(before).filter((c) => c.cmd === 'schedule').map((c) => c.args.date)).toEqual(['2026-07-20']);
    expect((document.getElementById('panel') as HTMLElement).hidden).toBe(false);
  });

  it('shows a doctor the record read-only, with the visits', async () => {
    await desk(ada);
    (document.querySelector('nav button[data-screen="patients"]') as HTMLButtonElement).click();
    await vi.advanceTimersByTimeAsync(0);
    const search = document.getElementById('patients-search') as HTMLInputElement;
    search.value = 'Jane';
    search.dispatchEvent(new Event('input'));
    await vi.advanceTimersByTimeAsync(0);
    const open = document.querySelector('button.edit-patient') as HTMLButtonElement;
    expect(open.textContent).toBe('Open');
    open.click();
    await vi.advanceTimersByTimeAsync(0);
    expect(document.getElementById('p-name')).toBeNull();
    expect(document.querySelector('.record-side dl')?.textContent).toContain('1980-02-03');
    expect(document.querySelectorAll('#patient-visits button.visit')).toHaveLength(3);
  });
});

describe('Find, for everyone', () => {
  it('passes axe-core with answers shown, and in the record (what jsdom can judge)', async () => {
    await desk();
    press('/');
    await type('jan');
    vi.useRealTimers(); // axe waits on real timers
    vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null);
    const rules = { rules: { 'color-contrast': { enabled: false } } };
    const dialog = await axe.run(document.querySelector('.find-overlay') as HTMLElement, rules);
    expect(dialog.violations.map((v) => v.id)).toEqual([]);

    press('Enter', box() as HTMLInputElement);
    await new Promise((r) => setTimeout(r, 0));
    await new Promise((r) => setTimeout(r, 0));
    const side = await axe.run(document.querySelector('.record-side') as HTMLElement, rules);
    expect(side.violations.map((v) => v.id)).toEqual([]);
    vi.useFakeTimers();
  });
});
