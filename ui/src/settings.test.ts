// @vitest-environment jsdom
// The admin's settings screen: the doctors' reminder time beside the lock time.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { renderSettings } from './directory';

const clinic = { name: 'Maple Clinic', tz: 'America/Toronto', lock_minutes: 10, locale: 'en-CA' };
type Call = { cmd: string; args: Record<string, unknown> };

function backend(calls: Call[]) {
  let reminder = 10;
  mockIPC((cmd, args) => {
    const a = (args ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args: a });
    if (cmd === 'clinic_settings' || cmd === 'update_settings') return clinic;
    if (cmd === 'reminder_minutes') return reminder;
    if (cmd === 'set_reminder_minutes') {
      const m = Number(a.minutes);
      if (m < 1 || m > 240) throw { kind: 'validation', field: null, message: 'reminders: choose 1 to 240 minutes before the visit' };
      reminder = m;
      return m;
    }
    return null;
  });
}

const flush = () => new Promise((r) => setTimeout(r, 0));

async function save(minutes: string) {
  (document.getElementById('c-reminder') as HTMLInputElement).value = minutes;
  document.querySelector('form')?.dispatchEvent(new Event('submit', { cancelable: true }));
  await flush(); await flush();
}

beforeEach(() => { document.body.replaceChildren(); });
afterEach(() => { clearMocks(); });

describe('settings screen', () => {
  it('shows and saves the reminder time, and explains a bad one on the form', async () => {
    const calls: Call[] = [];
    backend(calls);
    const root = document.createElement('div');
    document.body.append(root);
    await renderSettings(root, () => undefined);
    const input = document.getElementById('c-reminder') as HTMLInputElement;
    expect(input.value).toBe('10');
    expect(document.querySelector('label[for="c-reminder"]')?.textContent).toContain('Remind the doctor');

    await save('30');
    expect(calls.find((c) => c.cmd === 'set_reminder_minutes')?.args).toEqual({ minutes: 30 });
    expect(document.querySelector('form [role=status]')?.textContent).toBe('Saved');

    await save('0');
    const status = document.querySelector('form [role=status]') as HTMLElement;
    expect(status.className).toBe('field-error');
    expect(status.textContent).toContain('1 to 240');
  });
});
