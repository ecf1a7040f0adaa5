// @vitest-environment jsdom
// The admin's settings screen: the doctors' reminder time beside the lock time, and the
// patient e-mail texts (a backend that checks them as the Rust one does, in miniature).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import axe from 'axe-core';
import { renderSettings } from './directory';
import type { Language, MailTemplate, TextDraft, TextKey } from './ipc';

const clinic = { name: 'Maple Clinic', tz: 'America/Toronto', lock_minutes: 10, locale: 'fr-CA', neutral_titles: false, own_patients_only: false };
type Call = { cmd: string; args: Record<string, unknown> };

const KEYS: TextKey[] = ['subject_new', 'subject_moved', 'subject_cancelled', 'greeting', 'booked', 'moved', 'join',
  'how_to_cancel', 'attached', 'cancelled', 'cancelled_reason', 'book_again', 'sign_off'];
const defaultText = (language: Language, key: TextKey) =>
  key === 'join' ? `[${language}] Rejoignez ici : {link}` : `[${language}] ${key} {date} {time}`;

/** The e-mail texts' commands: overrides kept per language and key, `join` must keep {link}. */
function mailTexts(cmd: string, a: Record<string, unknown>, overrides: Map<string, string>): unknown {
  const template = (language: Language, key: TextKey): MailTemplate => {
    const text = overrides.get(`${language}.${key}`);
    return {
      language, key, text: text ?? defaultText(language, key), default_text: defaultText(language, key),
      overridden: text !== undefined, changed_by: text === undefined ? null : 'Eli Admin',
      changed_at: text === undefined ? null : '2026-05-04T14:00:00Z', required: key === 'join' ? ['link'] : [],
      one_line: key.startsWith('subject'),
    };
  };
  const check = (key: TextKey, text: string) => {
    if (key === 'join' && !text.includes('{link}')) {
      throw { kind: 'validation', field: 'join', message: 'the text must keep {link}: it is where the patient joins the video visit' };
    }
  };
  const language = a.language as Language;
  if (cmd === 'mail_templates') return KEYS.map((k) => template(language, k));
  if (cmd === 'set_mail_template') {
    check(a.key as TextKey, String(a.text));
    overrides.set(`${language}.${String(a.key)}`, String(a.text).trim());
    return template(language, a.key as TextKey);
  }
  if (cmd === 'reset_mail_template') { overrides.delete(`${language}.${String(a.key)}`); return template(language, a.key as TextKey); }
  if (cmd === 'preview_mail') {
    const drafts = a.drafts as TextDraft[];
    for (const d of drafts) check(d.key, d.text);
    const text = (key: TextKey) => drafts.find((d) => d.key === key)?.text ?? template(language, key).text;
    return { subject: text('subject_new'), body: `${text('greeting')}\n\n${text('join')}\n` };
  }
  return undefined;
}

function backend(calls: Call[], overrides = new Map<string, string>()) {
  let reminder = 10;
  mockIPC((cmd, args) => {
    const a = (args ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args: a });
    const mail = mailTexts(cmd, a, overrides);
    if (mail !== undefined) return mail;
    if (cmd === 'clinic_settings' || cmd === 'update_settings') return clinic;
    if (cmd === 'reminder_minutes') return reminder;
    if (cmd === 'set_reminder_minutes') {
      const m = Number(a.minutes);
      if (m < 1 || m > 240) throw { kind: 'validation', field: 'reminder_minutes', message: 'choose 1 to 240 minutes before the visit' };
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
afterEach(() => { clearMocks(); vi.useRealTimers(); });

async function settingsScreen(calls: Call[] = [], overrides = new Map<string, string>()): Promise<HTMLElement> {
  backend(calls, overrides);
  const root = document.createElement('main');
  document.body.append(root);
  await renderSettings(root, () => undefined);
  await flush();
  return root;
}

const box = (key: TextKey) => document.getElementById(`mt-${key}`) as HTMLTextAreaElement;
const row = (key: TextKey) => box(key).closest('[role=group]') as HTMLElement;
const button = (key: TextKey, name: string) =>
  [...row(key).querySelectorAll('button')].find((b) => b.textContent === name) as HTMLButtonElement;
const type = (key: TextKey, text: string) => {
  box(key).value = text;
  box(key).dispatchEvent(new Event('input'));
};

describe('settings screen', () => {
  it('says where the clinic is kept, and an admin can point the desk at the clinic’s server', async () => {
    const root = await settingsScreen();
    const place = document.getElementById('clinic-place') as HTMLElement;
    expect(place.textContent).toContain('On this computer only.');
    (document.getElementById('change-server') as HTMLButtonElement).click();
    expect(document.getElementById('join-title')?.textContent).toBe('Join the clinic’s server');
    expect((document.getElementById('join-port') as HTMLInputElement).value).toBe('5432');
    expect(root.querySelector('#setup-new')).toBeNull();
  });

  it("offers the time zone as a searchable list of zones, the clinic's first", async () => {
    await settingsScreen();
    const tz = document.getElementById('c-tz') as HTMLInputElement;
    const zones = [...(document.getElementById(tz.getAttribute('list') ?? '') as HTMLDataListElement).options].map((o) => o.value);
    expect(zones[0]).toBe(tz.value);
    expect(zones).toContain('Europe/London');
    expect(new Set(zones).size).toBe(zones.length);
  });

  it('lets an admin keep the type of visit out of meeting titles and e-mails', async () => {
    const calls: Call[] = [];
    await settingsScreen(calls);
    const neutral = document.getElementById('c-neutral') as HTMLInputElement;
    expect(neutral.type).toBe('checkbox');
    expect(neutral.checked).toBe(false);
    expect(document.querySelector('label[for="c-neutral"]')?.textContent).toContain('type of visit');
    neutral.checked = true;
    await save('10');
    const saved = calls.find((c) => c.cmd === 'update_settings')?.args.settings as Record<string, unknown>;
    expect(saved.neutral_titles).toBe(true);
  });

  it("lets an admin show each doctor only their own patients, other doctors' visits as busy", async () => {
    const calls: Call[] = [];
    await settingsScreen(calls);
    const own = document.getElementById('c-own') as HTMLInputElement;
    expect([own.type, own.checked]).toEqual(['checkbox', false]);
    expect(document.querySelector('label[for="c-own"]')?.textContent).toContain('only their own patients');
    own.checked = true;
    await save('10');
    const saved = calls.find((c) => c.cmd === 'update_settings')?.args.settings as Record<string, unknown>;
    expect([saved.own_patients_only, saved.neutral_titles]).toEqual([true, false]);
  });

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
    const error = document.getElementById('c-reminder-error') as HTMLElement;
    expect(error.hidden).toBe(false);
    expect(error.textContent).toBe('choose 1 to 240 minutes before the visit');
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(input.value).toBe('0');
  });

  it('shows each patient e-mail text of the clinic language in a labelled box, the default until changed', async () => {
    await settingsScreen();
    expect((document.getElementById('mt-language') as HTMLSelectElement).value).toBe('fr');
    const boxes = document.querySelectorAll('.mail-texts .mt-list textarea');
    expect(boxes.length).toBe(13);
    for (const b of boxes) expect(document.querySelector(`label[for="${b.id}"]`)?.textContent).toBeTruthy();
    expect(document.querySelector('label[for="mt-join"]')?.textContent).toBe('Video visit: how to join');
    expect(box('join').value).toBe('[fr] Rejoignez ici : {link}');
    expect(row('join').textContent).toContain('Must keep {link}.');
    expect(row('join').textContent).toContain('Built-in text.');
    expect(button('join', 'Reset to default').disabled).toBe(true);
    expect((document.getElementById('mt-preview-subject') as HTMLInputElement).value).toBe('[fr] subject_new {date} {time}');
  });

  it('keeps a refused text as typed with the reason beside it, then saves and resets it', async () => {
    const calls: Call[] = [];
    await settingsScreen(calls);
    type('join', 'Cliquez sur le lien reçu');
    button('join', 'Save').click();
    await flush(); await flush();
    const error = document.getElementById('mt-join-error') as HTMLElement;
    expect(error.textContent).toContain('must keep {link}');
    expect(box('join').value).toBe('Cliquez sur le lien reçu');
    expect(box('join').getAttribute('aria-invalid')).toBe('true');
    expect(box('join').getAttribute('aria-describedby')).toContain('mt-join-error');
    expect(document.activeElement).toBe(box('join'));

    type('join', '  Cliquez ici : {link} ');
    button('join', 'Save').click();
    await flush(); await flush();
    expect(calls.find((c) => c.cmd === 'set_mail_template' && String(c.args.text).includes('ici'))?.args)
      .toEqual({ language: 'fr', key: 'join', text: '  Cliquez ici : {link} ' });
    expect(error.textContent).toBe('');
    expect(box('join').hasAttribute('aria-invalid')).toBe(false);
    expect(box('join').value).toBe('Cliquez ici : {link}');
    expect(row('join').textContent).toContain('Saved');
    expect(row('join').textContent).toContain('Changed by Eli Admin');
    expect(button('join', 'Reset to default').disabled).toBe(false);

    button('join', 'Reset to default').click();
    await flush(); await flush();
    expect(calls.some((c) => c.cmd === 'reset_mail_template' && c.args.key === 'join')).toBe(true);
    expect(box('join').value).toBe('[fr] Rejoignez ici : {link}');
    expect(row('join').textContent).toContain('Back to the built-in text');
    expect(button('join', 'Reset to default').disabled).toBe(true);
  });

  it('previews the typing with the unsaved text, and says at the field when a draft breaks a rule', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const calls: Call[] = [];
    await settingsScreen(calls);
    type('greeting', 'Madame, Monsieur,');
    type('subject_new', 'Votre visite');
    expect(calls.filter((c) => c.cmd === 'preview_mail').length).toBe(1); // only the first one, at load
    await vi.advanceTimersByTimeAsync(400);
    const asked = calls.filter((c) => c.cmd === 'preview_mail');
    expect(asked.length).toBe(2);
    expect(asked[1].args.drafts).toEqual([{ key: 'subject_new', text: 'Votre visite' }, { key: 'greeting', text: 'Madame, Monsieur,' }]);
    expect((document.getElementById('mt-preview-subject') as HTMLInputElement).value).toBe('Votre visite');
    expect((document.getElementById('mt-preview-body') as HTMLTextAreaElement).value).toContain('Madame, Monsieur,');
    expect(calls.some((c) => c.cmd === 'set_mail_template')).toBe(false);

    type('join', 'Sans lien');
    await vi.advanceTimersByTimeAsync(400);
    expect(document.getElementById('mt-join-error')?.textContent).toContain('must keep {link}');
    expect(box('join').value).toBe('Sans lien');
    type('join', 'Avec le lien : {link}');
    await vi.advanceTimersByTimeAsync(400);
    expect(document.getElementById('mt-join-error')?.textContent).toBe('');
  });

  it('switches language, and Ctrl+Enter saves the text being typed', async () => {
    const calls: Call[] = [];
    await settingsScreen(calls);
    const language = document.getElementById('mt-language') as HTMLSelectElement;
    language.value = 'es';
    language.dispatchEvent(new Event('change'));
    await flush(); await flush();
    expect(box('greeting').value).toBe('[es] greeting {date} {time}');
    type('greeting', 'Estimado/a paciente:');
    box('greeting').dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', ctrlKey: true }));
    await flush(); await flush();
    expect(calls.find((c) => c.cmd === 'set_mail_template')?.args).toEqual({ language: 'es', key: 'greeting', text: 'Estimado/a paciente:' });
  });

  it('passes the axe rules that jsdom can judge', async () => {
    vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null);
    document.documentElement.lang = 'en';
    document.title = 'Frontdesk';
    await settingsScreen(undefined, new Map([['fr.join', 'Rejoignez : {link}']]));
    const result = await axe.run(document, { rules: { 'color-contrast': { enabled: false } } });
    expect(result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  });
});
