// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import axe from 'axe-core';
import { closeConnectWizard, openConnectWizard, renderAccounts } from './accounts';
import { events } from './ipc';
import type { Channel, Connection, ConnectionEvent, ProviderSettings, Staff } from './ipc';
import { bounceTarget, runBounce } from '../oauth-bounce/bounce.js';
import bouncePage from '../oauth-bounce/index.html?raw';

const admin: Staff = { id: 1, name: 'Eli Admin', role: 'admin', has_pin: true, active: true };
const ada: Staff = { id: 3, name: 'Dr Ada Lee', role: 'doctor', has_pin: true, active: true };
const ben: Staff = { id: 4, name: 'Dr Ben Roy', role: 'doctor', has_pin: true, active: true };
const dana: Staff = { id: 2, name: 'Dana Desk', role: 'receptionist', has_pin: true, active: true };
const AUTHORIZE = 'https://zoom.us/oauth/authorize?response_type=code&client_id=abc&state=s1';

const defaults: ProviderSettings = {
  zoom_auth_base: 'https://zoom.us', zoom_api_base: 'https://api.zoom.us/v2', zoom_client_id: 'zoom-app',
  zoom_redirect: 'loopback', zoom_bounce_url: null, zoom_s2s_account_id: null, zoom_s2s_client_id: null,
  microsoft_auth_base: 'https://login.microsoftonline.com', microsoft_graph_base: 'https://graph.microsoft.com/v1.0',
  microsoft_client_id: null, microsoft_tenant: 'organizations', microsoft_redirect: 'loopback',
  zoom_client_secret_set: true, zoom_s2s_client_secret_set: false,
};

type Call = { cmd: string; args: Record<string, unknown> };
type Handler = (cmd: string, args: Record<string, unknown>) => unknown;

/** Mocks the backend (and Tauri events); every call is recorded. */
function backend(handler: Handler = () => undefined): Call[] {
  const calls: Call[] = [];
  mockIPC((cmd, args) => {
    const a = (args ?? {}) as Record<string, unknown>;
    if (!cmd.startsWith('plugin:')) calls.push({ cmd, args: a });
    return handler(cmd, a);
  }, { shouldMockEvents: true });
  return calls;
}

/** Lets pending promises (IPC answers, listen registration) settle. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
}

/** Sends a message the way Rust does: through the channel's registered callback. */
function send(channel: Channel<ConnectionEvent>, message: ConnectionEvent, index = 0): void {
  const internals = (window as unknown as { __TAURI_INTERNALS__: { runCallback: (id: number, data: unknown) => void } }).__TAURI_INTERNALS__;
  internals.runCallback(channel.id, { index, message });
}

const wizard = () => document.getElementById('connect-wizard') as HTMLElement;
const byId = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const button = (name: string) =>
  [...document.querySelectorAll('button')].find((b) => (b.getAttribute('aria-label') ?? b.textContent) === name) as HTMLButtonElement;
const escape = (target: Element) =>
  target.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, cancelable: true }));

beforeEach(() => { document.body.replaceChildren(); });
afterEach(async () => { await closeConnectWizard(); await settle(); clearMocks(); vi.restoreAllMocks(); });

/** A connect backend: connect_account hands its channel to the test. */
function connectBackend(loopback = true) {
  let channel: Channel<ConnectionEvent> | null = null;
  const calls = backend((cmd, args) => {
    if (cmd === 'connect_account') {
      channel = args.done as Channel<ConnectionEvent>;
      return { authorize_url: AUTHORIZE, loopback };
    }
    return null;
  });
  return { calls, channel: () => channel as unknown as Channel<ConnectionEvent> };
}

function open(onConnected = vi.fn(), onClose = vi.fn()) {
  openConnectWizard({ doctor: ada, provider: 'zoom', onConnected, onClose });
  return { onConnected, onClose };
}

describe('connect wizard', () => {
  it('explains, waits for the browser, and shows the connected account from the channel', async () => {
    const { calls, channel } = connectBackend();
    const { onConnected } = open();
    const dialog = wizard();
    expect(dialog.getAttribute('role')).toBe('dialog');
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    expect(byId(dialog.getAttribute('aria-labelledby') as string).textContent).toBe('Connect Zoom for Dr Ada Lee');
    expect(dialog.dataset.step).toBe('explain');
    expect(dialog.textContent).toContain('keyring');
    expect(dialog.textContent).toContain('initials only');
    const start = document.activeElement as HTMLButtonElement;
    expect(start.textContent).toBe('Open Zoom sign-in');

    start.click();
    await settle();
    expect(dialog.dataset.step).toBe('waiting');
    expect(dialog.textContent).toContain('Approve Frontdesk in your browser…');
    expect(calls.find((c) => c.cmd === 'connect_account')?.args).toMatchObject({ doctorId: 3, provider: 'zoom' });
    const link = byId<HTMLInputElement>('connect-link');
    expect(link.value).toBe(AUTHORIZE);
    expect(link.readOnly).toBe(true);
    expect(document.activeElement).toBe(link);

    send(channel(), { doctor_id: 3, provider: 'zoom', account_email: 'dr.lee@clinic.example', error: null });
    expect(dialog.dataset.step).toBe('done');
    expect(byId('connect-result').textContent).toContain('Connected as dr.lee@clinic.example');
    expect(onConnected).toHaveBeenCalledWith('dr.lee@clinic.example');
    byId('connect-done').click();
    expect(wizard()).toBeNull();
    expect(calls.some((c) => c.cmd === 'cancel_connect')).toBe(false);
  });

  it('shows an error with Try again, which starts a new sign-in', async () => {
    const { calls, channel } = connectBackend();
    open();
    byId('connect-start').click();
    await settle();
    send(channel(), { doctor_id: 3, provider: 'zoom', account_email: null, error: 'Zoom said: access denied (the doctor declined)' });
    expect(wizard().dataset.step).toBe('failed');
    expect(byId('connect-error').textContent).toBe('Zoom said: access denied (the doctor declined)');
    const retry = document.activeElement as HTMLButtonElement;
    expect(retry.textContent).toBe('Try again');
    retry.click();
    await settle();
    expect(wizard().dataset.step).toBe('waiting');
    expect(calls.filter((c) => c.cmd === 'connect_account')).toHaveLength(2);
  });

  it('shows why the sign-in could not even start', async () => {
    backend((cmd) => {
      if (cmd === 'connect_account') throw { kind: 'validation', field: null, message: 'Zoom is not set up: client ID missing' };
      return null;
    });
    open();
    byId('connect-start').click();
    await settle();
    expect(wizard().dataset.step).toBe('failed');
    expect(byId('connect-error').textContent).toContain('client ID missing');
  });

  it('still hears Escape while the browser is opening', async () => {
    let answer: (v: unknown) => void = () => undefined;
    const calls = backend((cmd) => (cmd === 'connect_account' ? new Promise((r) => { answer = r; }) : null));
    open();
    byId('connect-start').click();
    await settle();
    expect(document.activeElement).toBe(wizard());
    escape(document.activeElement as Element);
    expect(wizard()).toBeNull();
    answer({ authorize_url: AUTHORIZE, loopback: true });
    await settle();
    // Cancelled again once the wait had surely begun.
    expect(calls.filter((c) => c.cmd === 'cancel_connect')).toHaveLength(2);
  });

  it('closes on Escape and cancels the sign-in it was waiting for', async () => {
    const { calls } = connectBackend();
    const { onClose } = open();
    byId('connect-start').click();
    await settle();
    escape(document.activeElement as Element);
    await settle();
    expect(wizard()).toBeNull();
    expect(document.querySelector('.overlay')).toBeNull();
    expect(onClose).toHaveBeenCalled();
    expect(calls.find((c) => c.cmd === 'cancel_connect')?.args).toEqual({ doctorId: 3, provider: 'zoom' });
  });

  it('completes from the deep-link event, and ignores another doctor’s', async () => {
    connectBackend(false);
    const { onConnected } = open();
    byId('connect-start').click();
    await settle();
    await events.accountConnection.emit({ doctor_id: 4, provider: 'zoom', account_email: 'dr.roy@clinic.example', error: null });
    await settle();
    expect(wizard().dataset.step).toBe('waiting');
    await events.accountConnection.emit({ doctor_id: 3, provider: 'zoom', account_email: 'dr.lee@clinic.example', error: null });
    await settle();
    expect(wizard().dataset.step).toBe('done');
    expect(wizard().textContent).toContain('Connected as dr.lee@clinic.example');
    expect(onConnected).toHaveBeenCalledWith('dr.lee@clinic.example');
  });

  it('keeps Tab inside the dialog', () => {
    backend();
    open();
    const buttons = [...wizard().querySelectorAll('button')];
    const last = buttons[buttons.length - 1];
    last.focus();
    last.dispatchEvent(new KeyboardEvent('keydown', { key: 'Tab', bubbles: true, cancelable: true }));
    expect(document.activeElement).toBe(buttons[0]);
    buttons[0].dispatchEvent(new KeyboardEvent('keydown', { key: 'Tab', shiftKey: true, bubbles: true, cancelable: true }));
    expect(document.activeElement).toBe(last);
  });
});

const zoomAda: Connection = {
  doctor_id: 3, doctor_name: 'Dr Ada Lee', provider: 'zoom', kind: 'user', state: 'connected',
  account_email: 'dr.lee@clinic.example', problem: null, needs_reconnect: false, connected_at: '2026-07-01T12:00:00Z',
};
const teamsBen: Connection = {
  doctor_id: 4, doctor_name: 'Dr Ben Roy', provider: 'microsoft', kind: 'user', state: 'disconnected',
  account_email: 'ben@clinic.example', problem: 'Microsoft refused the saved sign-in (it was revoked); reconnect.', needs_reconnect: true, connected_at: null,
};

async function screen(me: Staff, handler: Handler = () => null, connections: Connection[] = [zoomAda, teamsBen]) {
  let current = connections;
  const calls = backend((cmd, args) => {
    if (cmd === 'list_staff') return [admin, dana, ada, ben];
    if (cmd === 'connections') return current;
    if (cmd === 'provider_settings') return defaults;
    return handler(cmd, args);
  });
  const root = document.createElement('main');
  document.body.append(root);
  await renderAccounts(root, me);
  return { root, calls, setConnections: (c: Connection[]) => { current = c; } };
}

const cell = (doctor: number, provider: string) =>
  document.querySelector(`td[data-doctor="${doctor}"][data-provider="${provider}"]`) as HTMLElement;

describe('video visits screen', () => {
  it('shows every doctor’s connections in words, with stable hooks', async () => {
    await screen(admin);
    expect(document.querySelectorAll('#accounts-table tbody tr')).toHaveLength(2);
    expect(cell(3, 'zoom').dataset.state).toBe('connected');
    expect(cell(3, 'zoom').textContent).toContain('Connected as dr.lee@clinic.example');
    expect(cell(3, 'microsoft').dataset.state).toBe('none');
    expect(cell(3, 'microsoft').textContent).toContain('Not connected');
    expect(cell(4, 'microsoft').dataset.state).toBe('disconnected');
    expect(cell(4, 'microsoft').textContent).toContain('Disconnected — reconnect');
    expect(cell(4, 'microsoft').textContent).toContain('it was revoked');
    expect(button('Connect Microsoft Teams for Dr Ada Lee')).toBeTruthy();
    expect(button('Disconnect Zoom for Dr Ada Lee')).toBeTruthy();
    expect(button('Reconnect Microsoft Teams for Dr Ben Roy')).toBeTruthy();
    expect(button('Use the clinic’s Zoom Server-to-Server app for Dr Ben Roy')).toBeTruthy();
    expect(document.getElementById('provider-settings')).not.toBeNull();
  });

  it('opens the wizard from a cell and refreshes the table after success', async () => {
    let channel: Channel<ConnectionEvent> | null = null;
    const { calls, setConnections } = await screen(admin, (cmd, args) => {
      if (cmd === 'connect_account') { channel = args.done as Channel<ConnectionEvent>; return { authorize_url: AUTHORIZE, loopback: true }; }
      return null;
    });
    button('Connect Zoom for Dr Ben Roy').click();
    expect(wizard().dataset.doctor).toBe('4');
    byId('connect-start').click();
    await settle();
    setConnections([zoomAda, teamsBen, { ...zoomAda, doctor_id: 4, doctor_name: 'Dr Ben Roy', account_email: 'dr.roy@clinic.example' }]);
    send(channel as unknown as Channel<ConnectionEvent>, { doctor_id: 4, provider: 'zoom', account_email: 'dr.roy@clinic.example', error: null });
    await settle();
    expect(calls.filter((c) => c.cmd === 'connections')).toHaveLength(2);
    expect(cell(4, 'zoom').dataset.state).toBe('connected');
    expect(cell(4, 'zoom').textContent).toContain('Connected as dr.roy@clinic.example');
    byId('connect-done').click();
    expect(document.activeElement).toBe(cell(4, 'zoom').querySelector('button'));
  });

  it('asks before disconnecting and says whether the provider revoked the access', async () => {
    const answers = [{ revoked_at_provider: true, note: null }, { revoked_at_provider: false, note: 'Microsoft could not be reached' }];
    const { calls, setConnections } = await screen(admin, (cmd) => (cmd === 'disconnect_account' ? answers.shift() : null));
    button('Disconnect Zoom for Dr Ada Lee').click();
    const confirm = byId('disconnect-confirm');
    expect(confirm.getAttribute('role')).toBe('alertdialog');
    expect(confirm.textContent).toContain('Disconnect Zoom for Dr Ada Lee?');
    expect(document.activeElement?.id).toBe('disconnect-keep');
    // Keeping it changes nothing.
    byId('disconnect-keep').click();
    expect(byId('disconnect-confirm')).toBeNull();
    expect(calls.some((c) => c.cmd === 'disconnect_account')).toBe(false);

    button('Disconnect Zoom for Dr Ada Lee').click();
    setConnections([teamsBen]);
    byId('disconnect-confirm-button').click();
    await settle();
    expect(calls.find((c) => c.cmd === 'disconnect_account')?.args).toEqual({ doctorId: 3, provider: 'zoom' });
    expect(byId('disconnect-confirm')).toBeNull();
    expect(byId('accounts-notice').textContent).toContain('Zoom confirmed that Frontdesk’s access is revoked');
    expect(cell(3, 'zoom').dataset.state).toBe('none');

    button('Disconnect Microsoft Teams for Dr Ben Roy').click();
    setConnections([]);
    byId('disconnect-confirm-button').click();
    await settle();
    expect(byId('accounts-notice').textContent).toContain('Microsoft did not confirm the revocation: Microsoft could not be reached');
  });

  it('shows a doctor only their own row, and no provider settings', async () => {
    const { calls } = await screen(ada);
    const rows = document.querySelectorAll('#accounts-table tbody tr');
    expect(rows).toHaveLength(1);
    expect(rows[0].textContent).toContain('Dr Ada Lee');
    expect(document.querySelector('[data-doctor="4"]')).toBeNull();
    expect(button('Disconnect Zoom for Dr Ada Lee')).toBeTruthy();
    expect(document.querySelector('[data-action="s2s"]')).toBeNull();
    expect(document.getElementById('provider-settings')).toBeNull();
    expect(calls.some((c) => c.cmd === 'provider_settings')).toBe(false);
  });

  it('connects a doctor through the clinic’s Server-to-Server app', async () => {
    const { calls, setConnections } = await screen(admin, (cmd, args) => {
      if (cmd === 'connect_server_to_server') {
        if (args.zoomEmail === 'nobody@clinic.example') throw { kind: 'not_found', field: null, message: 'no Zoom user nobody@clinic.example in the clinic’s account' };
        return { doctor_id: 4, provider: 'zoom', account_email: args.zoomEmail };
      }
      return null;
    });
    button('Use the clinic’s Zoom Server-to-Server app for Dr Ben Roy').click();
    const email = document.activeElement as HTMLInputElement;
    expect(email.id).toBe('s2s-email');
    email.value = 'nobody@clinic.example';
    (document.querySelector('#s2s-dialog form') as HTMLFormElement).requestSubmit();
    await settle();
    expect(byId('s2s-error').textContent).toContain('no Zoom user');
    expect(email.value).toBe('nobody@clinic.example');
    email.value = 'dr.roy@clinic.example';
    setConnections([zoomAda, { ...zoomAda, doctor_id: 4, kind: 'server_to_server', account_email: 'dr.roy@clinic.example' }]);
    (document.querySelector('#s2s-dialog form') as HTMLFormElement).requestSubmit();
    await settle();
    expect(calls.filter((c) => c.cmd === 'connect_server_to_server').at(-1)?.args).toEqual({ doctorId: 4, zoomEmail: 'dr.roy@clinic.example' });
    expect(byId('s2s-dialog')).toBeNull();
    expect(cell(4, 'zoom').textContent).toContain('Server-to-Server');
  });
});

describe('provider settings', () => {
  const input = (id: string) => byId<HTMLInputElement>(id);

  it('shows the backend’s defaults and whether a secret is stored', async () => {
    await screen(admin);
    expect(input('ps-zoom-auth-base').value).toBe('https://zoom.us');
    expect(input('ps-microsoft-tenant').value).toBe('organizations');
    expect(input('ps-zoom-client-secret').type).toBe('password');
    expect(input('ps-zoom-client-secret').placeholder).toBe('stored — leave blank to keep');
    expect(input('ps-zoom-s2s-client-secret').placeholder).toBe('');
    expect(document.querySelector('label[for="ps-microsoft-client-id"]')?.textContent).toBe('Application (client) ID');
  });

  it('keeps what was typed, shows an error next to its field, and saves on the next try', async () => {
    let refuse = 2;
    const { calls } = await screen(admin, (cmd, args) => {
      if (cmd !== 'update_provider_settings') return null;
      if (refuse === 2) { refuse -= 1; throw { kind: 'validation', field: 'zoom.api_base', message: 'the address must start with https://' }; }
      if (refuse === 1) { refuse -= 1; throw { kind: 'validation', field: 'microsoft.tenant', message: 'personal Microsoft accounts cannot create Teams meetings' }; }
      return { ...(args.settings as ProviderSettings), zoom_client_secret_set: true };
    });
    input('ps-zoom-api-base').value = 'http://api.zoom.example/v2';
    input('ps-microsoft-client-id').value = '11111111-2222-3333-4444-555555555555';
    input('ps-zoom-client-secret').value = 'new-secret';
    (byId('provider-settings') as HTMLFormElement).requestSubmit();
    await settle();
    const error = byId('ps-zoom-api-base-error');
    expect(error.hidden).toBe(false);
    expect(error.textContent).toBe('the address must start with https://');
    expect(input('ps-zoom-api-base').getAttribute('aria-invalid')).toBe('true');
    expect(input('ps-zoom-api-base').getAttribute('aria-describedby')).toContain('ps-zoom-api-base-error');
    expect(document.activeElement).toBe(input('ps-zoom-api-base'));
    expect(input('ps-zoom-api-base').value).toBe('http://api.zoom.example/v2');
    expect(input('ps-microsoft-client-id').value).toBe('11111111-2222-3333-4444-555555555555');
    expect(input('ps-zoom-client-secret').value).toBe('new-secret');
    expect(byId('ps-error').hidden).toBe(true);

    // The next refusal moves the message to the box of the setting it names.
    input('ps-zoom-api-base').value = 'https://api.zoom.us/v2';
    input('ps-microsoft-tenant').value = 'consumers';
    (byId('provider-settings') as HTMLFormElement).requestSubmit();
    await settle();
    expect(byId('ps-zoom-api-base-error').hidden).toBe(true);
    expect(byId('ps-microsoft-tenant-error').textContent).toBe('personal Microsoft accounts cannot create Teams meetings');

    input('ps-microsoft-tenant').value = 'clinic.example';
    (byId('provider-settings') as HTMLFormElement).requestSubmit();
    await settle();
    const saved = calls.filter((c) => c.cmd === 'update_provider_settings').at(-1)?.args;
    expect(saved?.settings).toMatchObject({ zoom_api_base: 'https://api.zoom.us/v2', microsoft_client_id: '11111111-2222-3333-4444-555555555555', microsoft_tenant: 'clinic.example', zoom_bounce_url: null });
    expect(saved?.zoomClientSecret).toBe('new-secret');
    expect(saved?.zoomS2sClientSecret).toBeNull();
    expect(byId('ps-saved').textContent).toBe('Provider settings saved');
    expect(input('ps-zoom-client-secret').value).toBe('');
  });

  it('shows an error about no field at the top', async () => {
    await screen(admin, (cmd) => {
      if (cmd === 'update_provider_settings') throw { kind: 'internal', field: null, message: 'the keyring is locked' };
      return null;
    });
    input('ps-zoom-client-id').value = 'typed-id';
    (byId('provider-settings') as HTMLFormElement).requestSubmit();
    await settle();
    expect(byId('ps-error').textContent).toBe('the keyring is locked');
    expect(input('ps-zoom-client-id').value).toBe('typed-id');
  });
});

describe('Zoom bounce page', () => {
  it('forwards code and state, or error and state, unchanged', () => {
    expect(bounceTarget('?code=abc123&state=xyz')).toBe('frontdesk://oauth/zoom/callback?code=abc123&state=xyz');
    expect(bounceTarget('state=xyz&code=a%2Fb')).toBe('frontdesk://oauth/zoom/callback?state=xyz&code=a%2Fb');
    expect(bounceTarget('?error=access_denied&state=xyz')).toBe('frontdesk://oauth/zoom/callback?error=access_denied&state=xyz');
  });

  it('refuses a query that is not a sign-in answer', () => {
    expect(bounceTarget('?code=abc123')).toBeNull();
    expect(bounceTarget('?code=abc123&state=')).toBeNull();
    expect(bounceTarget('?state=xyz')).toBeNull();
    expect(bounceTarget('')).toBeNull();
    expect(bounceTarget(`?code=${'a'.repeat(5000)}&state=xyz`)).toBeNull();
  });

  it('sends the browser on with a visible fallback link, or says the address is malformed', () => {
    const page = () => new DOMParser().parseFromString(bouncePage, 'text/html');
    const go = vi.fn();
    const good = page();
    expect(runBounce(good, '?code=abc&state=xyz', go)).toBe('frontdesk://oauth/zoom/callback?code=abc&state=xyz');
    expect(go).toHaveBeenCalledWith('frontdesk://oauth/zoom/callback?code=abc&state=xyz');
    const link = good.getElementById('bounce-open') as HTMLAnchorElement;
    expect(link.textContent).toBe('Open Frontdesk');
    expect(link.getAttribute('href')).toBe('frontdesk://oauth/zoom/callback?code=abc&state=xyz');
    expect((good.getElementById('bounce-fallback') as HTMLElement).hidden).toBe(false);
    expect((good.getElementById('bounce-malformed') as HTMLElement).hidden).toBe(true);

    const declined = page();
    runBounce(declined, '?error=access_denied&state=xyz', go);
    expect((declined.getElementById('bounce-declined') as HTMLElement).hidden).toBe(false);
    expect(declined.getElementById('bounce-reason')?.textContent).toBe('access_denied');

    const bad = page();
    go.mockClear();
    expect(runBounce(bad, '?code=abc', go)).toBeNull();
    expect(go).not.toHaveBeenCalled();
    expect((bad.getElementById('bounce-malformed') as HTMLElement).hidden).toBe(false);
    expect((bad.getElementById('bounce-fallback') as HTMLElement).hidden).toBe(true);
    // Nothing on the page is fetched from anywhere.
    expect(bouncePage).not.toMatch(/(src|href)="(https?:)?\/\//);
  });
});

describe('accessibility', () => {
  /** axe-core's rules that jsdom can judge (contrast needs a real layout: the e2e audit checks it). */
  async function violations(): Promise<string[]> {
    const result = await axe.run(document, { rules: { 'color-contrast': { enabled: false } } });
    return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  }

  it('finds nothing on the screen, in each wizard step, or in the dialogs', async () => {
    // axe measures icon fonts on a canvas, which jsdom does not have.
    vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null);
    document.documentElement.lang = 'en';
    document.title = 'Frontdesk';
    let channel: Channel<ConnectionEvent> | null = null;
    await screen(admin, (cmd, args) => {
      if (cmd === 'connect_account') { channel = args.done as Channel<ConnectionEvent>; return { authorize_url: AUTHORIZE, loopback: true }; }
      return null;
    });
    const found: string[] = [...await violations()];
    button('Connect Zoom for Dr Ben Roy').click();
    found.push(...await violations());
    byId('connect-start').click();
    await settle();
    found.push(...await violations());
    send(channel as unknown as Channel<ConnectionEvent>, { doctor_id: 4, provider: 'zoom', account_email: null, error: 'declined' });
    found.push(...await violations());
    byId('connect-close').click();
    button('Disconnect Zoom for Dr Ada Lee').click();
    found.push(...await violations());
    byId('disconnect-keep').click();
    button('Use the clinic’s Zoom Server-to-Server app for Dr Ben Roy').click();
    found.push(...await violations());
    expect(found).toEqual([]);
  });
});
