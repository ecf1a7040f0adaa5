// @vitest-environment jsdom
// The admins' Hours screen: the clinic's opening hours, a doctor's week from a date, and the days
// off, holidays and extra hours, on a backend that refuses as the core does (in miniature).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { clearMocks } from '@tauri-apps/api/mocks';
import axe from 'axe-core';
import { renderHours } from './hours';
import { openDesk, recordingBackend } from './testing';
import type { Call } from './testing';
import type { DayText, Hours, HoursException, Staff } from './ipc';

vi.mock('./calendar', () => ({ ScheduleCalendar: class { show(): void {} reveal(): void {} markOpen(): void {} destroy(): void {} } }));

const admin: Staff = { id: 1, name: 'Eli Admin', role: 'admin', has_pin: true, active: true };
const dana: Staff = { id: 2, name: 'Dana Desk', role: 'receptionist', has_pin: true, active: true };
const lee: Staff = { id: 3, name: 'Dr Ada Lee', role: 'doctor', has_pin: true, active: true };
const roy: Staff = { id: 4, name: 'Dr Ben Roy', role: 'doctor', has_pin: true, active: true };

const minute = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const NAMES: Record<string, string> = { mon: 'Monday', tue: 'Tuesday', wed: 'Wednesday', thu: 'Thursday', fri: 'Friday', sat: 'Saturday', sun: 'Sunday' };

/** The core's reading of a week, in miniature: the refusals name the weekday's field. */
function week(days: DayText[]) {
  return {
    days: days.filter((d) => d.text.trim()).map((d) => {
      const blocks = d.text.split(',').map((b) => {
        const m = /^\s*(\d\d:\d\d)-(\d\d:\d\d)\s*$/.exec(b);
        if (!m) throw { kind: 'validation', field: d.day, message: `on ${NAMES[d.day]}, "${b.trim()}" is not a block of hours; write it as HH:MM-HH:MM, e.g. 09:00-12:00` };
        const [start, end] = [minute(m[1]), minute(m[2])];
        if (end < start) throw { kind: 'validation', field: d.day, message: `on ${NAMES[d.day]}, ${b.trim()}: the end is before the start` };
        return { start_minute: start, end_minute: end };
      }).sort((a, b) => a.start_minute - b.start_minute);
      blocks.forEach((b, i) => {
        if (i > 0 && blocks[i - 1].end_minute > b.start_minute) throw { kind: 'validation', field: d.day, message: `on ${NAMES[d.day]}, the blocks overlap; give each time once` };
      });
      return { day: d.day, blocks };
    }),
  };
}

function backend(start: Hours = { clinic: null, doctors: [], exceptions: [] }): { calls: Call[]; hours: () => Hours } {
  let hours = start;
  let next = 10;
  const calls = recordingBackend((cmd, a) => {
    if (cmd === 'list_staff') return [admin, dana, lee, roy];
    if (cmd === 'hours') return hours;
    if (cmd === 'set_clinic_hours') { hours = { ...hours, clinic: week(a.week as DayText[]) }; return hours; }
    if (cmd === 'clear_clinic_hours') { hours = { ...hours, clinic: null }; return hours; }
    if (cmd === 'set_doctor_hours') {
      if (a.doctorId !== lee.id && a.doctorId !== roy.id) throw { kind: 'not_found', field: 'doctor', message: 'no doctor 99' };
      if (!/^\d{4}-\d\d-\d\d$/.test(String(a.from))) throw { kind: 'validation', field: 'from', message: 'not a date; write it as YYYY-MM-DD, e.g. 2026-03-08' };
      const w = { doctor_id: Number(a.doctorId), effective_from: String(a.from), week: week(a.week as DayText[]) };
      hours = { ...hours, doctors: [...hours.doctors.filter((d) => d.doctor_id !== w.doctor_id || d.effective_from !== w.effective_from), w] };
      return hours;
    }
    if (cmd === 'remove_doctor_hours') {
      hours = { ...hours, doctors: hours.doctors.filter((d) => d.doctor_id !== a.doctorId || d.effective_from !== a.from) };
      return hours;
    }
    if (cmd === 'add_hours_exception') {
      const x = a.exception as { doctor_id: number | null; kind: 'off' | 'extra'; date: string; to: string | null; hours: string | null; label: string | null };
      if (x.kind === 'extra' && x.date === '2026-03-08' && x.hours?.startsWith('02:')) {
        throw { kind: 'validation', field: 'start', message: '02:30 does not exist on 2026-03-08 in America/Toronto (the clocks jump from 02:00 to 03:00)' };
      }
      const block = x.hours ? week([{ day: 'mon', text: x.hours }]).days[0].blocks[0] : null;
      const added: HoursException = { id: next++, doctor_id: x.doctor_id, kind: x.kind, first_day: x.date, last_day: x.to ?? x.date, block, label: x.label };
      hours = { ...hours, exceptions: [...hours.exceptions, added] };
      return added;
    }
    if (cmd === 'remove_hours_exception') {
      const gone = hours.exceptions.find((x) => x.id === a.id);
      hours = { ...hours, exceptions: hours.exceptions.filter((x) => x.id !== a.id) };
      return gone;
    }
    return null;
  });
  return { calls, hours: () => hours };
}

const flush = async () => { for (let i = 0; i < 4; i++) await new Promise((r) => setTimeout(r, 0)); };
const box = (id: string) => document.getElementById(id) as HTMLInputElement;
const type = (id: string, text: string) => { box(id).value = text; box(id).dispatchEvent(new Event('input')); };
const submit = async (form: string) => {
  document.getElementById(form)?.dispatchEvent(new Event('submit', { cancelable: true }));
  await flush();
};
const shownError = (id: string) => { const e = document.getElementById(`${id}-error`) as HTMLElement; return e.hidden ? null : e.textContent; };

async function screen(start?: Hours) {
  const b = backend(start);
  const root = document.createElement('main');
  document.body.append(root);
  await renderHours(root, 'America/Toronto');
  return b;
}

beforeEach(() => { document.body.replaceChildren(); });
afterEach(() => { clearMocks(); vi.useRealTimers(); vi.restoreAllMocks(); });

describe('the Hours screen', () => {
  it('is offered to admins only, in the navigation', async () => {
    vi.useFakeTimers();
    await openDesk({ me: dana, doctors: [lee, roy] });
    expect(document.querySelector('nav button[data-screen=hours]')).toBeNull();
    document.body.replaceChildren();
    const calls = await openDesk({ me: admin, doctors: [lee, roy], handler: (cmd) => (cmd === 'list_staff' ? [lee, roy] : cmd === 'hours' ? { clinic: null, doctors: [], exceptions: [] } : null) });
    const nav = document.querySelector('nav button[data-screen=hours]') as HTMLButtonElement;
    expect(nav.textContent).toBe('Hours');
    nav.click();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.some((c) => c.cmd === 'hours')).toBe(true);
    expect(document.getElementById('dh-mon')).not.toBeNull();
  });

  it("enters Dr Lee's week from a date, with several blocks a day, and lists it", async () => {
    const { calls } = await screen();
    expect((document.getElementById('dh-doctor') as HTMLSelectElement).selectedOptions[0].textContent).toBe('Dr Ada Lee');
    type('dh-from', '2026-07-06');
    type('dh-mon', '09:00-12:00, 13:00-17:00');
    type('dh-wed', '13:00-17:00');
    await submit('doctor-hours');
    const call = calls.find((c) => c.cmd === 'set_doctor_hours');
    expect(call?.args.doctorId).toBe(lee.id);
    expect(call?.args.from).toBe('2026-07-06');
    expect((call?.args.week as DayText[]).filter((d) => d.text)).toEqual([
      { day: 'mon', text: '09:00-12:00, 13:00-17:00' }, { day: 'wed', text: '13:00-17:00' }]);
    const listed = document.querySelector('#doctor-weeks li[data-doctor="3"]')?.textContent ?? '';
    expect(listed).toContain('Dr Ada Lee, from Monday, July 6, 2026: Monday 09:00-12:00, 13:00-17:00 · Wednesday 13:00-17:00');
    expect(document.querySelector('#doctor-hours [role=status]')?.textContent).toBe('Saved');
  });

  it('shows a refusal beside the weekday it names, and keeps everything typed', async () => {
    const { calls } = await screen();
    type('dh-mon', '09:00-12:00');
    type('dh-tue', '09:00-12:00, 11:00-13:00');
    type('dh-thu', '17:00-13:00');
    await submit('doctor-hours');
    expect(shownError('dh-tue')).toBe('on Tuesday, the blocks overlap; give each time once');
    expect(box('dh-tue').getAttribute('aria-invalid')).toBe('true');
    expect(document.activeElement).toBe(box('dh-tue'));
    expect(box('dh-tue').getAttribute('aria-describedby')).toContain('dh-tue-error');
    expect(shownError('dh-mon')).toBeNull();
    expect([box('dh-mon').value, box('dh-tue').value, box('dh-thu').value]).toEqual(['09:00-12:00', '09:00-12:00, 11:00-13:00', '17:00-13:00']);
    // Mended, the next refusal (Thursday's end before its start) replaces the first.
    type('dh-tue', '09:00-12:00');
    await submit('doctor-hours');
    expect(shownError('dh-tue')).toBeNull();
    expect(shownError('dh-thu')).toBe('on Thursday, 17:00-13:00: the end is before the start');
    type('dh-from', '');
    type('dh-thu', '');
    await submit('doctor-hours');
    expect(shownError('dh-from')).toBe('not a date; write it as YYYY-MM-DD, e.g. 2026-03-08');
    expect(calls.filter((c) => c.cmd === 'set_doctor_hours')).toHaveLength(3);
  });

  it("starts a doctor's form from their week in effect, edits and removes a week", async () => {
    const mon = { day: 'mon' as const, blocks: [{ start_minute: 540, end_minute: 720 }] };
    const { calls } = await screen({ clinic: null, doctors: [
      { doctor_id: lee.id, effective_from: '2026-01-05', week: { days: [mon] } },
      { doctor_id: roy.id, effective_from: '2099-01-05', week: { days: [mon] } },
    ], exceptions: [] });
    expect(box('dh-mon').value).toBe('09:00-12:00');
    const doctor = document.getElementById('dh-doctor') as HTMLSelectElement;
    doctor.value = String(roy.id);
    doctor.dispatchEvent(new Event('change'));
    expect(box('dh-mon').value, 'a week from a later date is not in effect yet').toBe('');
    (document.querySelector('#doctor-weeks li[data-doctor="4"] .edit-week') as HTMLButtonElement).click();
    expect([box('dh-from').value, box('dh-mon').value]).toEqual(['2099-01-05', '09:00-12:00']);
    (document.querySelector('#doctor-weeks li[data-doctor="3"] .remove-week') as HTMLButtonElement).click();
    await flush();
    expect(calls.find((c) => c.cmd === 'remove_doctor_hours')?.args).toEqual({ doctorId: lee.id, from: '2026-01-05' });
    expect(document.querySelectorAll('#doctor-weeks li[data-doctor]')).toHaveLength(1);
  });

  it("sets and clears the clinic's opening hours", async () => {
    const { hours } = await screen();
    expect(document.getElementById('clinic-hours-state')?.textContent).toBe('No opening hours entered: the clinic is open at all hours.');
    for (const day of ['mon', 'tue', 'wed', 'thu', 'fri']) type(`ch-${day}`, '08:00-18:00');
    type('ch-sat', '9-12');
    await submit('clinic-hours');
    expect(shownError('ch-sat')).toContain('on Saturday, "9-12" is not a block of hours');
    type('ch-sat', '09:00-12:00');
    await submit('clinic-hours');
    expect(hours().clinic?.days.map((d) => d.day)).toEqual(['mon', 'tue', 'wed', 'thu', 'fri', 'sat']);
    expect(document.getElementById('clinic-hours-state')?.textContent).toBe('');
    (document.getElementById('clinic-hours-clear') as HTMLButtonElement).click();
    await flush();
    expect(hours().clinic).toBeNull();
    expect(box('ch-mon').value).toBe('');
  });

  it('adds days off, a clinic holiday and extra hours, lists them, and removes one', async () => {
    const { calls } = await screen();
    const select = (id: string, value: string) => {
      const s = document.getElementById(id) as HTMLSelectElement;
      s.value = value;
      s.dispatchEvent(new Event('change'));
    };
    expect(box('ex-hours').closest('.field')?.hasAttribute('hidden')).toBe(true);
    select('ex-whose', String(lee.id));
    type('ex-date', '2026-07-06');
    type('ex-to', '2026-07-07');
    type('ex-label', 'Conference');
    await submit('hours-exception');
    expect(calls.find((c) => c.cmd === 'add_hours_exception')?.args.exception).toEqual(
      { doctor_id: lee.id, kind: 'off', date: '2026-07-06', to: '2026-07-07', hours: null, label: 'Conference' });
    select('ex-whose', '');
    type('ex-date', '2026-07-01');
    type('ex-to', '');
    type('ex-label', 'Canada Day');
    await submit('hours-exception');
    // Extra hours on the day the clocks jump: the refusal goes beside the hours, all else kept.
    select('ex-whose', String(lee.id));
    select('ex-kind', 'extra');
    expect(box('ex-to').closest('.field')?.hasAttribute('hidden')).toBe(true);
    type('ex-date', '2026-03-08');
    type('ex-hours', '02:30-04:00');
    type('ex-label', '');
    await submit('hours-exception');
    expect(shownError('ex-hours')).toContain('02:30 does not exist on 2026-03-08');
    expect(box('ex-hours').value).toBe('02:30-04:00');
    type('ex-hours', '17:00-19:00');
    await submit('hours-exception');
    expect(shownError('ex-hours')).toBeNull();
    const rows = [...document.querySelectorAll('#hours-exceptions tr')].map((r) => [...r.querySelectorAll('td')].slice(0, 4).map((c) => c.textContent));
    expect(rows).toEqual([
      ['Dr Ada Lee', 'Extra hours 17:00-19:00', 'Sunday, March 8, 2026', ''],
      ['The whole clinic (holiday)', 'Holiday', 'Wednesday, July 1, 2026', 'Canada Day'],
      ['Dr Ada Lee', 'Day off', 'Monday, July 6, 2026 – Tuesday, July 7, 2026', 'Conference'],
    ]);
    (document.querySelector('#hours-exceptions tr[data-exception="10"] .remove-exception') as HTMLButtonElement).click();
    await flush();
    expect(calls.find((c) => c.cmd === 'remove_hours_exception')?.args).toEqual({ id: 10 });
    expect(document.querySelectorAll('#hours-exceptions tr[data-exception]')).toHaveLength(2);
  });

  it('passes axe-core, with a refusal shown (what jsdom can judge)', async () => {
    await screen({ clinic: null, doctors: [{ doctor_id: lee.id, effective_from: '2026-01-05', week: { days: [] } }],
      exceptions: [{ id: 1, doctor_id: null, kind: 'off', first_day: '2026-07-01', last_day: '2026-07-01', block: null, label: 'Canada Day' }] });
    type('dh-mon', '17:00-09:00');
    await submit('doctor-hours');
    expect(shownError('dh-mon')).not.toBeNull();
    // axe measures icon fonts on a canvas, which jsdom does not have.
    vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null);
    document.documentElement.lang = 'en';
    document.title = 'Frontdesk';
    const result = await axe.run(document, { rules: { 'color-contrast': { enabled: false } } });
    expect(result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  });
});
