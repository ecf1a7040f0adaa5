// @vitest-environment jsdom
// A desk whose clinic server stops answering says so above the screen, with since when and how
// old the schedule shown is, and once that it is back; a booking refused meanwhile keeps all that
// was typed, and goes through once the server answers.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { ServerBanner } from './serverlink';
import { watchNetwork } from './network';
import { openBookingDialog } from './booking';
import { events } from './ipc';
import { setLocale } from './messages';
import type { AppointmentType, Patient, Staff } from './ipc';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  vi.setSystemTime(new Date('2026-07-06T14:45:00Z'));
  setLocale('en-CA');
  document.body.replaceChildren();
});
afterEach(() => { vi.useRealTimers(); clearMocks(); });

describe('the clinic server away and back', () => {
  it('says since when and as of when, then once that it is back', async () => {
    mockIPC((cmd) => (cmd === 'server_link' ? { away_since: null, copy_as_of: '2026-07-06T14:41:00Z' } : null), { shouldMockEvents: true });
    const banner = new ServerBanner('America/Toronto');
    document.body.append(banner.element);
    const stop = banner.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(banner.element.hidden).toBe(true);

    await events.serverLinkChanged.emit({ away_since: '2026-07-06T14:42:00Z', copy_as_of: '2026-07-06T14:41:00Z' });
    await vi.advanceTimersByTimeAsync(0);
    expect(banner.element.hidden).toBe(false);
    expect(banner.readOnly).toBe(true);
    expect(banner.element.textContent).toMatch(/^Clinic server unreachable since 10:42 a\.m\. — showing the schedule as of 10:41 a\.m\.; changes wait/);

    await events.serverLinkChanged.emit({ away_since: null, copy_as_of: '2026-07-06T14:50:00Z' });
    await vi.advanceTimersByTimeAsync(0);
    expect(banner.element.textContent).toContain('Connected to the clinic\'s server again');
    expect(banner.readOnly).toBe(false);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(banner.element.hidden).toBe(true);
    stop();
  });

  it("the status line says the server's state on a desk of one, and the network's on a single computer", async () => {
    mockIPC((cmd) => (cmd === 'server_link' ? { away_since: null, copy_as_of: null } : null), { shouldMockEvents: true });
    const line = document.createElement('span');
    const stop = watchNetwork(line, 'America/Toronto');
    await vi.advanceTimersByTimeAsync(0);
    expect([line.textContent, line.className]).toEqual(['Clinic server: connected', 'online']);
    await events.serverLinkChanged.emit({ away_since: '2026-07-06T14:42:00Z', copy_as_of: '2026-07-06T14:41:00Z' });
    expect([line.textContent, line.className]).toEqual(["Clinic server: unreachable since 10:42 a.m. — the schedule shown is this desk's copy; changes wait", 'offline']);
    stop();

    mockIPC(() => null);
    const single = document.createElement('span');
    watchNetwork(single, 'America/Toronto')();
    await vi.advanceTimersByTimeAsync(0);
    expect(single.textContent).toBe('Network: connected');
  });

  it('a desk that starts on its copy says so from the start', async () => {
    mockIPC((cmd) => (cmd === 'server_link' ? { away_since: '2026-07-06T14:30:00Z', copy_as_of: '2026-07-06T14:29:00Z' } : null));
    const banner = new ServerBanner('America/Toronto');
    banner.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(banner.element.textContent).toContain('since 10:30 a.m.');
    expect(banner.element.textContent).toContain('as of 10:29 a.m.');
  });

  it('a booking refused while the server is away keeps what was typed, and books when it is back', async () => {
    const doctors: Staff[] = [{ id: 3, name: 'Dr Ada Lee', role: 'doctor', has_pin: true, active: true }];
    const types: AppointmentType[] = [{ id: 1, name: 'Consult', minutes: 30, mode: 'in-person' }];
    const tom: Patient = { id: 9, full_name: 'Tom Nguyen', email: null, phone: null, date_of_birth: null, note: null };
    let away = true;
    const books: unknown[] = [];
    mockIPC((cmd, args) => {
      if (cmd === 'find_patients') return [tom];
      if (cmd === 'free_slots') return [];
      if (cmd === 'book') {
        books.push(args);
        if (away) {
          throw { kind: 'unavailable', field: null, message: 'the clinic\'s server at clinic-server:5432/frontdesk does not answer, so this desk shows the schedule as it last read it and cannot change it; try again when the server is back' };
        }
        return { id: 77 };
      }
      return null;
    });
    const booked = vi.fn();
    openBookingDialog({
      clinicTz: 'America/Toronto', doctors, types,
      slot: { date: '2026-07-06', time: '15:00', doctorId: 3 },
      onBooked: booked, onClose: () => undefined,
    });
    const patient = document.getElementById('book-patient') as HTMLInputElement;
    patient.value = 'Tom';
    patient.dispatchEvent(new Event('input', { bubbles: true }));
    await vi.advanceTimersByTimeAsync(300);
    patient.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }));
    const topic = document.getElementById('book-topic') as HTMLInputElement | null;
    if (topic) topic.value = 'Knee pain';
    const submit = document.getElementById('book-submit') as HTMLButtonElement;
    submit.click();
    await vi.advanceTimersByTimeAsync(0);
    expect(books).toHaveLength(1);
    expect(booked).not.toHaveBeenCalled();
    const dialog = document.querySelector('[role="dialog"]');
    expect(dialog?.textContent).toContain('does not answer');
    expect((document.getElementById('book-patient') as HTMLInputElement).value).toContain('Tom Nguyen');
    expect((document.getElementById('book-time') as HTMLInputElement).value).not.toBe('');
    if (topic) expect(topic.value).toBe('Knee pain');

    away = false;
    submit.click();
    await vi.advanceTimersByTimeAsync(0);
    expect(books).toHaveLength(2);
    expect(books[1]).toEqual(books[0]);
    expect(booked).toHaveBeenCalled();
  });
});
