// @vitest-environment jsdom
// The admin's Updates card: what the clinic's feed offers, Install, and a refused update's reason.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { updatesCard } from './updates';
import type { UpdateStatus } from './ipc';

const flush = () => new Promise((r) => setTimeout(r, 0));
const FEED = 'https://clinic.example/frontdesk/latest.json';

function backend(calls: { cmd: string; args: Record<string, unknown> }[], status: UpdateStatus, install?: unknown) {
  mockIPC((cmd, args) => {
    calls.push({ cmd, args: (args ?? {}) as Record<string, unknown> });
    if (cmd === 'check_update' || cmd === 'set_update_feed') return status;
    if (cmd === 'install_update' && install) throw install;
    return null;
  });
}

async function card(): Promise<HTMLElement> {
  const c = updatesCard();
  document.body.append(c);
  await flush(); await flush();
  return c;
}

beforeEach(() => { document.body.replaceChildren(); });
afterEach(() => { clearMocks(); });

describe('updates card', () => {
  it('says which version is available and installs that one', async () => {
    const calls: { cmd: string; args: Record<string, unknown> }[] = [];
    backend(calls, { current: '0.1.0', feed: FEED, check: { state: 'available', version: '0.2.0', notes: null } });
    const c = await card();
    expect(c.querySelector('#update-state')?.textContent).toBe('Frontdesk 0.2.0 is available.');
    expect((c.querySelector('#update-feed') as HTMLInputElement).value).toBe(FEED);
    const install = c.querySelector('#install-update') as HTMLButtonElement;
    expect(install.hidden).toBe(false);
    install.click();
    await flush();
    expect(calls.at(-1)).toEqual({ cmd: 'install_update', args: { version: '0.2.0' } });
  });

  it('shows a refused update in words, and offers Install again', async () => {
    const calls: { cmd: string; args: Record<string, unknown> }[] = [];
    const message = 'Frontdesk 0.2.0 was refused: its package does not match its signature';
    backend(calls, { current: '0.1.0', feed: FEED, check: { state: 'available', version: '0.2.0', notes: null } },
      { kind: 'conflict', field: null, message });
    const c = await card();
    const install = c.querySelector('#install-update') as HTMLButtonElement;
    install.click();
    await flush(); await flush();
    expect(c.querySelector('#update-state')?.textContent).toBe(message);
    expect(install.disabled).toBe(false);
  });

  it('says when there is nothing newer, and saves a new feed', async () => {
    const calls: { cmd: string; args: Record<string, unknown> }[] = [];
    backend(calls, { current: '0.2.0', feed: null, check: { state: 'up_to_date' } });
    const c = await card();
    expect(c.querySelector('#update-state')?.textContent).toBe('Frontdesk 0.2.0 is the newest version.');
    expect((c.querySelector('#install-update') as HTMLButtonElement).hidden).toBe(true);
    (c.querySelector('#update-feed') as HTMLInputElement).value = ` ${FEED} `;
    c.querySelector('form')?.dispatchEvent(new Event('submit', { cancelable: true }));
    await flush();
    expect(calls.at(-1)).toEqual({ cmd: 'set_update_feed', args: { feed: FEED } });
  });
});
