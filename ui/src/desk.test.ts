// @vitest-environment jsdom
// The signed-in desk's status-line alert for video-visit accounts the provider refused.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { events } from './ipc';
import { clearMocks } from '@tauri-apps/api/mocks';
import axe from 'axe-core';
import { startApp } from './app';
import { CLINIC, openDesk, recordingBackend } from './testing';
import { formatDate, wallTime } from './messages';
import type { Connection, Staff } from './ipc';

// The calendar is not what these tests are about (calendar.test.ts is).
vi.mock('./calendar', () => ({ ScheduleCalendar: class { show(): void {} reveal(): void {} markOpen(): void {} destroy(): void {} } }));

const admin: Staff = { id: 1, name: 'Eli Admin', role: 'admin', has_pin: true, active: true };
const dana: Staff = { id: 2, name: 'Dana Desk', role: 'receptionist', has_pin: true, active: true };
const ada: Staff = { id: 3, name: 'Dr Ada Lee', role: 'doctor', has_pin: true, active: true };
const ben: Staff = { id: 4, name: 'Dr Ben Roy', role: 'doctor', has_pin: true, active: true };
const cy: Staff = { id: 5, name: 'Dr Cy Old', role: 'doctor', has_pin: true, active: false };

/** Disconnected on purpose at the desk (the backend records no problem then). */
const DISCONNECTED_AT_DESK = 'at the desk';
const connection = (doctor: Staff, provider: Connection['provider'], problem: string | null): Connection => {
  const atDesk = problem === DISCONNECTED_AT_DESK;
  return {
    doctor_id: doctor.id, doctor_name: doctor.name, provider, kind: 'user', state: problem === null ? 'connected' : 'disconnected',
    account_email: `${doctor.id}@clinic.example`, problem: atDesk ? null : problem,
    needs_reconnect: problem !== null && !atDesk, connected_at: problem === null ? '2026-07-01T12:00:00Z' : null,
  };
};
const REVOKED = 'Zoom refused the saved sign-in (it was revoked); reconnect.';
const adaZoomRevoked = connection(ada, 'zoom', REVOKED);
const benTeamsRevoked = connection(ben, 'microsoft', 'Microsoft refused the saved sign-in (it expired); reconnect.');
const benZoomRevoked = connection(ben, 'zoom', REVOKED);
const adaTeamsAtDesk = connection(ada, 'microsoft', DISCONNECTED_AT_DESK);
const benZoomAtDesk = connection(ben, 'zoom', DISCONNECTED_AT_DESK);
const adaTeams = connection(ada, 'microsoft', null);

/** Signs `me` in on a mocked backend holding `connections`; every call is recorded. */
async function desk(me: Staff, connections: Connection[], handler: (cmd: string) => unknown = () => null) {
  let current = connections;
  const calls = await openDesk({
    me, doctors: [ada, ben], connections: () => current,
    handler: (cmd) => (cmd === 'list_staff' ? [admin, dana, ada, ben, cy] : handler(cmd)),
  });
  return { calls, setConnections: (c: Connection[]) => { current = c; } };
}

const alert = () => document.getElementById('video-alert') as HTMLButtonElement | null;
const shown = () => { const a = alert(); return a && !a.hidden ? a.textContent : null; };

beforeEach(() => { vi.useFakeTimers(); document.body.replaceChildren(); });
afterEach(() => { vi.useRealTimers(); vi.restoreAllMocks(); clearMocks(); });

describe('video-visit accounts alert', () => {
  it('tells an admin which doctor to reconnect, and opens the Video visits screen', async () => {
    await desk(admin, [adaZoomRevoked, adaTeamsAtDesk, connection(ben, 'zoom', null)]);
    const button = alert() as HTMLButtonElement;
    expect(shown()).toBe('Zoom disconnected for Dr Ada Lee — reconnect');
    expect(button.tagName).toBe('BUTTON');
    expect(button.closest('[role="status"]')?.id).toBe('video-alert-status');
    expect(button.closest('footer')?.className).toBe('statusline');

    button.click();
    await vi.advanceTimersByTimeAsync(0);
    expect(document.getElementById('accounts')).not.toBeNull();
    expect(document.querySelector('nav button[data-screen="accounts"]')?.getAttribute('aria-current')).toBe('true');
    expect(document.activeElement?.getAttribute('aria-label')).toBe('Reconnect Zoom for Dr Ada Lee');
  });

  it('lists two on one line, counts more, and leaves out inactive doctors', async () => {
    const cyZoomRevoked = connection(cy, 'zoom', REVOKED);
    const { setConnections } = await desk(admin, [adaZoomRevoked, benTeamsRevoked, cyZoomRevoked]);
    expect(shown()).toBe('Zoom disconnected for Dr Ada Lee and Microsoft Teams disconnected for Dr Ben Roy — reconnect');

    setConnections([adaZoomRevoked, benTeamsRevoked, benZoomRevoked, cyZoomRevoked]);
    await vi.advanceTimersByTimeAsync(3 * 60_000);
    expect(shown()).toBe('3 video-visit accounts need reconnecting');
  });

  it('tells a doctor about their own accounts only', async () => {
    const { setConnections } = await desk(ben, [adaZoomRevoked, benTeamsRevoked]);
    expect(shown()).toBe('Your Microsoft Teams account is disconnected — reconnect');

    setConnections([adaZoomRevoked, benTeamsRevoked, benZoomRevoked]);
    await vi.advanceTimersByTimeAsync(3 * 60_000);
    expect(shown()).toBe('Your Microsoft Teams and Zoom accounts are disconnected — reconnect');

    setConnections([adaZoomRevoked]);
    await vi.advanceTimersByTimeAsync(3 * 60_000);
    expect(shown()).toBeNull();
  });

  it('follows a connection the clinic service lost, as soon as the server says', async () => {
    const { setConnections } = await desk(admin, []);
    expect(shown()).toBeNull();
    setConnections([adaZoomRevoked]);
    await events.scheduleChanged.emit({ appointment_id: null, spans: [] });
    await vi.advanceTimersByTimeAsync(100);
    expect(shown()).toBe('Zoom disconnected for Dr Ada Lee — reconnect');
  });

  it('shows a receptionist nothing, and does not even look', async () => {
    const { calls } = await desk(dana, [adaZoomRevoked, benTeamsRevoked]);
    await vi.advanceTimersByTimeAsync(3 * 60_000);
    expect(alert()).toBeNull();
    expect(document.querySelector('.statusline')?.textContent).not.toContain('disconnected');
    expect(calls.some((c) => c.cmd === 'connections')).toBe(false);
  });

  it('ignores accounts disconnected at the desk', async () => {
    const { setConnections } = await desk(admin, [adaTeamsAtDesk, benZoomAtDesk]);
    expect(shown()).toBeNull();
    // Ada's Teams works again and Ben's Zoom is refused by Zoom: the next look shows it.
    setConnections([adaTeams, benZoomRevoked]);
    await vi.advanceTimersByTimeAsync(3 * 60_000);
    expect(shown()).toBe('Zoom disconnected for Dr Ben Roy — reconnect');
  });

  it('updates when the Video visits screen changes something', async () => {
    const { setConnections } = await desk(ada, [adaZoomRevoked],
      (cmd) => (cmd === 'disconnect_account' ? { revoked_at_provider: false, note: null } : null));
    expect(shown()).toBe('Your Zoom account is disconnected — reconnect');
    (alert() as HTMLButtonElement).click();
    await vi.advanceTimersByTimeAsync(0);

    (document.querySelector('button[aria-label="Disconnect Zoom for Dr Ada Lee"]') as HTMLButtonElement).click();
    setConnections([connection(ada, 'zoom', DISCONNECTED_AT_DESK)]);
    (document.getElementById('disconnect-confirm-button') as HTMLButtonElement).click();
    await vi.advanceTimersByTimeAsync(0);
    expect(shown()).toBeNull();
  });

  it('leaves an unchanged alert alone, so that a screen reader does not repeat it', async () => {
    await desk(admin, [adaZoomRevoked]);
    const text = (alert() as HTMLButtonElement).querySelector('span:not(.dot)')?.firstChild;
    await vi.advanceTimersByTimeAsync(3 * 60_000);
    expect((alert() as HTMLButtonElement).querySelector('span:not(.dot)')?.firstChild).toBe(text);
  });
});

describe('video-visit accounts alert, for everyone', () => {
  it('passes axe-core in the status line (what jsdom can judge)', async () => {
    await desk(admin, [adaZoomRevoked]);
    vi.useRealTimers(); // axe waits on real timers
    vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null);
    const result = await axe.run(document.querySelector('.statusline') as HTMLElement, { rules: { 'color-contrast': { enabled: false } } });
    expect(result.violations.map((v) => v.id)).toEqual([]);
  });

  it('meets WCAG AA contrast in the light and the dark theme', async () => {
    // Read from disk: vitest hands CSS imports to the test as empty strings (no @types/node here).
    const fs = await import('node:fs' as string) as { readFileSync: (path: string, encoding: 'utf8') => string };
    const css = fs.readFileSync(decodeURIComponent(new URL(import.meta.url).pathname).replace(/[^/]+$/, 'style.css'), 'utf8');
    // The colours as style.css sets them: the first block is light, the prefers-color-scheme one dark.
    const theme = (block: string) => (name: string) => new RegExp(`--${name}:\\s*(#[0-9a-f]{6})`, 'i').exec(block)?.[1] as string;
    const light = theme(css.slice(0, css.indexOf('@media (prefers-color-scheme: dark)')));
    const dark = theme(css.slice(css.indexOf('@media (prefers-color-scheme: dark)')));
    const luminance = (hex: string) => {
      const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
        .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const ratio = (a: string, b: string) => {
      const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
      return (hi + 0.05) / (lo + 0.05);
    };
    expect(css).toMatch(/button\.video-alert \{[^}]*background: var\(--warn-bg\); color: var\(--warn\)/);
    for (const colour of [light, dark]) {
      expect(ratio(colour('warn'), colour('warn-bg'))).toBeGreaterThanOrEqual(4.5); // text
      expect(ratio(colour('warn'), colour('bg'))).toBeGreaterThanOrEqual(3); // the pill's edge
    }
  });
});

/** The app started on the sign-in screen, and the PIN sent with Enter. */
async function signInOnScreen(): Promise<HTMLElement> {
  const root = document.createElement('div');
  document.body.append(root);
  await startApp(root);
  (document.getElementById('signin-pin') as HTMLInputElement).value = '135790';
  (root.querySelector('form') as HTMLFormElement).requestSubmit();
  await vi.advanceTimersByTimeAsync(0);
  return root;
}

describe('sign-in', () => {
  it('opens the desk from the sign-in screen without asking for the status again', async () => {
    let signedIn: Staff | null = null;
    const calls = recordingBackend((cmd) => {
      if (cmd === 'app_status') return { setup_needed: false, clinic: CLINIC, staff: [{ ...dana }], signed_in: signedIn };
      if (cmd === 'sign_in') { signedIn = dana; return { staff: dana, must_change_pin: false, security_notices: [] }; }
      if (cmd === 'schedule') return { clinic_name: CLINIC.name, tz: CLINIC.tz, date: '2026-07-06', days: 1, doctors: [ada, ben], appointments: [], busy: [], may_book: true };
      return cmd === 'list_types' || cmd === 'connections' ? [] : null;
    });
    const root = await signInOnScreen();

    expect(root.querySelector('.statusline')?.textContent).toContain('Signed in as Dana Desk');
    const commands = calls.map((c) => c.cmd);
    expect(commands.filter((c) => c === 'app_status')).toHaveLength(1);
    expect(commands.indexOf('schedule')).toBeGreaterThan(commands.indexOf('sign_in'));
  });

  it('has the PIN checked as it is typed, for the person picked, before Enter signs in', async () => {
    const calls = recordingBackend((cmd) => {
      if (cmd === 'app_status') return { setup_needed: false, clinic: CLINIC, staff: [{ ...dana }, { ...ada }], signed_in: null };
      return null;
    });
    const root = document.createElement('div');
    document.body.append(root);
    await startApp(root);
    const mark = calls.length;
    (root.querySelectorAll('input[name=person]')[1] as HTMLInputElement).checked = true;
    const pin = document.getElementById('signin-pin') as HTMLInputElement;
    for (const typed of ['1', '11', '111111']) {
      pin.value = typed;
      pin.dispatchEvent(new Event('input', { bubbles: true }));
    }
    await vi.advanceTimersByTimeAsync(0);
    const typed = calls.slice(mark).filter((c) => c.cmd === 'pin_typed');
    expect(typed.map((c) => c.args)).toEqual([1, 11, 111111].map((n) => ({ staffId: ada.id, pin: String(n) })));
    expect(calls.slice(mark).map((c) => c.cmd)).not.toContain('sign_in');
  });

  it('opens the calendar on the day the sign-in read while it checked the PIN, without reading it again', async () => {
    const today = wallTime(new Date().toISOString(), CLINIC.tz).slice(0, 10);
    const sheet = { clinic_name: CLINIC.name, tz: CLINIC.tz, date: today, days: 1, doctors: [ada, ben], appointments: [], busy: [], may_book: true };
    const calls = recordingBackend((cmd) => {
      if (cmd === 'app_status') return { setup_needed: false, clinic: CLINIC, staff: [{ ...dana }], signed_in: null };
      if (cmd === 'sign_in') return { staff: dana, must_change_pin: false, security_notices: [], today: { sheet, hours: null } };
      if (cmd === 'schedule') return sheet;
      return cmd === 'list_types' || cmd === 'connections' ? [] : null;
    });
    await signInOnScreen();

    expect(document.getElementById('date-label')?.textContent).toBe(formatDate(today));
    let commands = calls.map((c) => c.cmd);
    expect(commands).not.toContain('schedule');
    expect(commands).not.toContain('working_time');
    // The next day is read as usual.
    const mark = calls.length;
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
    await vi.advanceTimersByTimeAsync(0);
    commands = calls.slice(mark).map((c) => c.cmd);
    expect(commands).toContain('schedule');
  });
});

describe('provider addresses', () => {
  it('shows everyone at the desk when the doctors\' tokens go to another host than the providers\' own', async () => {
    const proxy = [{ setting: 'zoom.api_base', address: 'https://zoom-proxy.clinic.example/v2' }];
    await desk(dana, [], (cmd) => (cmd === 'provider_hosts' ? proxy : null));
    await vi.advanceTimersByTimeAsync(0);
    const notice = document.getElementById('provider-hosts') as HTMLElement;
    expect(notice.hidden).toBe(false);
    expect(notice.textContent).toBe('Video calls go through zoom-proxy.clinic.example, not the providers\' own addresses (set by an admin)');
    expect(notice.closest('footer')?.className).toBe('statusline');
  });

  it('says nothing while every address is the provider\'s own', async () => {
    await desk(admin, [], (cmd) => (cmd === 'provider_hosts' ? [] : null));
    await vi.advanceTimersByTimeAsync(0);
    expect((document.getElementById('provider-hosts') as HTMLElement).hidden).toBe(true);
  });
});

describe('about', () => {
  it('names the version in the shortcuts list, the same one as frontdesk-cli --version', async () => {
    await desk(dana, []);
    await vi.advanceTimersByTimeAsync(0);
    document.body.dispatchEvent(new KeyboardEvent('keydown', { key: '?', bubbles: true, cancelable: true }));
    await vi.advanceTimersByTimeAsync(0);
    expect(document.querySelector('.help-overlay .about')?.textContent).toBe('Frontdesk 0.1.0');
  });
});
