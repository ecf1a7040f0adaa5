// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { start } from './main';
import type { DayView } from './ipc';

const view: DayView = {
  clinic_name: 'Maple Clinic',
  tz: 'America/Toronto',
  date: '2026-11-02',
  doctors: [
    { id: 1, name: 'Dr Lee' },
    { id: 2, name: 'Dr Roy' },
  ],
  appointments: [
    {
      id: 7, start: '2026-11-02T14:00:00Z', end: '2026-11-02T14:30:00Z',
      local_start: '2026-11-02T09:00:00-05:00', local_end: '2026-11-02T09:30:00-05:00',
      tz: 'America/Toronto', status: 'checked-in', mode: 'zoom', type_name: 'Consult',
      doctor_id: 1, doctor_name: 'Dr Lee', patient_name: 'Jane Doe',
    },
    {
      id: 8, start: '2026-11-02T15:00:00Z', end: '2026-11-02T15:30:00Z',
      local_start: '2026-11-02T15:00:00+00:00', local_end: '2026-11-02T15:30:00+00:00',
      tz: 'Europe/London', status: 'booked', mode: 'in-person', type_name: 'Review',
      doctor_id: 1, doctor_name: 'Dr Lee', patient_name: 'Sam Roe',
    },
  ],
};

afterEach(() => clearMocks());

describe('day sheet', () => {
  it('shows one column per doctor with the appointments in order', async () => {
    let asked: unknown;
    mockIPC((cmd, args) => {
      asked = { cmd, args };
      if (cmd === 'day_view') return view;
    });
    const root = document.createElement('main');
    await start(root);
    expect(asked).toEqual({ cmd: 'day_view', args: { date: null } });
    const columns = root.querySelectorAll('.doctor-column');
    expect(columns).toHaveLength(2);
    const items = columns[0].querySelectorAll('.appointment');
    expect(items).toHaveLength(2);
    expect(items[0].textContent).toContain('09:00–09:30');
    expect(items[0].classList.contains('mode-zoom')).toBe(true);
    expect(items[0].textContent).toContain('Checked in');
    // Booked in another zone: that zone is named.
    expect(items[1].textContent).toContain('(Europe/London)');
    expect(columns[1].textContent).toContain('No appointments');
  });

  it('shows the backend error message and kind', async () => {
    mockIPC(() => {
      throw { kind: 'setup', message: 'no clinic is set up in this data folder yet; set it up first' };
    });
    const root = document.createElement('main');
    await start(root);
    const alert = root.querySelector('[role=alert]');
    expect(alert?.textContent).toContain('Frontdesk is not set up yet');
    expect(alert?.textContent).toContain('set it up first');
  });
});
