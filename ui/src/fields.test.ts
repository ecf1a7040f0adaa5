// @vitest-environment jsdom
// A refusal names its field as data (`field`), and each form puts the message beside that box,
// keeping what was typed: the patient's e-mail, a staff member's name, a provider setting.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearMocks } from '@tauri-apps/api/mocks';
import { renderPatients, renderStaff } from './directory';
import { providerSettingsForm } from './accounts';
import type { ProviderSettings } from './ipc';
import { recordingBackend } from './testing';

const settle = async () => { for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0)); };
const input = (id: string) => document.getElementById(id) as HTMLInputElement;
const error = (id: string) => document.getElementById(`${id}-error`) as HTMLElement;
const submit = (form: Element | null) => form?.dispatchEvent(new Event('submit', { cancelable: true }));
const click = (text: string) =>
  ([...document.querySelectorAll('button')].find((b) => b.textContent === text) as HTMLButtonElement).click();

/** The boxes of a form whose error is showing. */
const shownErrors = (form: Element) => [...form.querySelectorAll<HTMLElement>('.field-error')].filter((e) => !e.hidden);

let root: HTMLElement;
beforeEach(() => {
  document.body.replaceChildren();
  root = document.createElement('main');
  document.body.append(root);
});
afterEach(() => { clearMocks(); });

describe('the patient form', () => {
  it('opens a patient through the audited read of one record, showing the record as it is now', async () => {
    const listed = { id: 7, full_name: 'Jane Doe', email: null, phone: null, date_of_birth: null, note: null };
    const now = { ...listed, email: 'jane@example.org', note: 'prefers mornings' };
    const calls = recordingBackend((cmd) => {
      if (cmd === 'find_patients') return [listed];
      if (cmd === 'patient') return now;
      return null;
    });
    await renderPatients(root, true);
    input('patients-search').value = 'Jane';
    input('patients-search').dispatchEvent(new Event('input'));
    await settle();
    expect(calls.some((c) => c.cmd === 'patient')).toBe(false);
    click('Edit');
    await settle();
    expect(calls.filter((c) => c.cmd === 'patient').map((c) => c.args)).toEqual([{ id: 7 }]);
    expect(input('p-email').value).toBe('jane@example.org');
    expect(input('p-note').value).toBe('prefers mornings');
  });
});

describe('a refusal lands beside the field it names', () => {
  it('patient form: a bad e-mail address beside the e-mail box, with everything typed kept', async () => {
    const message = 'not an e-mail address (expected name@example.com)';
    const calls = recordingBackend((cmd) => {
      if (cmd === 'add_patient') throw { kind: 'validation', message, field: 'email' };
      return null;
    });
    await renderPatients(root, true);
    click('Add');
    input('p-name').value = 'Jo Park';
    input('p-email').value = 'jo@clinic';
    input('p-phone').value = '416 555 0100';
    submit(document.querySelector('form.editor'));
    await settle();

    expect(calls.find((c) => c.cmd === 'add_patient')?.args).toMatchObject({ patient: { full_name: 'Jo Park', email: 'jo@clinic' } });
    const form = document.querySelector('form.editor') as HTMLElement;
    expect(shownErrors(form)).toEqual([error('p-email')]);
    expect(error('p-email').textContent).toBe(message);
    expect(input('p-email').getAttribute('aria-invalid')).toBe('true');
    expect(input('p-email').getAttribute('aria-describedby')).toBe('p-email-error');
    expect(document.activeElement).toBe(input('p-email'));
    expect(input('p-name').hasAttribute('aria-invalid')).toBe(false);
    expect(form.querySelector('[role=status]')?.textContent).toBe('');
    expect([input('p-name').value, input('p-email').value, input('p-phone').value]).toEqual(['Jo Park', 'jo@clinic', '416 555 0100']);
  });

  it('staff form: an empty name beside the name box; a refusal naming no box goes under the form', async () => {
    let refusals = [
      { kind: 'validation', message: 'the name is empty', field: 'name' },
      { kind: 'unavailable', message: 'the schedule is busy (another desk is saving); try again in a moment', field: null },
    ];
    recordingBackend((cmd) => {
      if (cmd === 'list_all_staff') return [];
      if (cmd === 'add_staff') { const [first, ...rest] = refusals; refusals = rest; throw first; }
      return null;
    });
    await renderStaff(root);
    click('Add');
    input('s-name').value = '   ';
    input('s-pin').value = '246802';
    submit(document.querySelector('form.editor'));
    await settle();

    const form = document.querySelector('form.editor') as HTMLElement;
    expect(shownErrors(form)).toEqual([error('s-name')]);
    expect(error('s-name').textContent).toBe('the name is empty');
    expect(input('s-name').getAttribute('aria-invalid')).toBe('true');
    expect(document.activeElement).toBe(input('s-name'));
    expect([input('s-name').value, input('s-pin').value]).toEqual(['   ', '246802']);

    // The next try clears the box's error; one about no box shows under the form.
    input('s-name').value = 'Dana Desk';
    submit(form);
    await settle();
    expect(error('s-name').hidden).toBe(true);
    expect(input('s-name').hasAttribute('aria-invalid')).toBe(false);
    const status = form.querySelector('[role=status]') as HTMLElement;
    expect(status.className).toBe('field-error');
    expect(status.textContent).toContain('the schedule is busy');
  });

  it('provider settings: a zoom.api_base refusal beside the Zoom API box, by its key alone', async () => {
    const settings: ProviderSettings = {
      zoom_auth_base: 'https://zoom.us', zoom_api_base: 'https://api.zoom.us/v2', zoom_client_id: null,
      zoom_redirect: 'loopback', zoom_bounce_url: null, zoom_s2s_account_id: null, zoom_s2s_client_id: null,
      microsoft_auth_base: 'https://login.microsoftonline.com', microsoft_graph_base: 'https://graph.microsoft.com/v1.0',
      microsoft_client_id: null, microsoft_tenant: 'organizations', microsoft_redirect: 'loopback',
      zoom_client_secret_set: false, zoom_s2s_client_secret_set: false,
    };
    const message = 'the address must start with https:// (http:// only for this computer)';
    recordingBackend((cmd) => {
      if (cmd === 'update_provider_settings') throw { kind: 'validation', message, field: 'zoom.api_base' };
      return null;
    });
    const form = providerSettingsForm(settings);
    root.append(form);
    input('ps-zoom-api-base').value = 'http://api.zoom.us/v2';
    input('ps-zoom-client-id').value = 'zoom-app';
    submit(form);
    await settle();

    expect(shownErrors(form)).toEqual([error('ps-zoom-api-base')]);
    expect(error('ps-zoom-api-base').textContent).toBe(message);
    expect(input('ps-zoom-api-base').getAttribute('aria-invalid')).toBe('true');
    expect(document.activeElement).toBe(input('ps-zoom-api-base'));
    expect([input('ps-zoom-api-base').value, input('ps-zoom-client-id').value]).toEqual(['http://api.zoom.us/v2', 'zoom-app']);
  });

  it('provider settings: a message that merely starts with a key is not read for a field', async () => {
    recordingBackend((cmd) => {
      if (cmd === 'update_provider_settings') throw { kind: 'internal', message: 'zoom.api_base: could not be saved', field: null };
      return null;
    });
    const form = providerSettingsForm({
      zoom_auth_base: 'https://zoom.us', zoom_api_base: 'https://api.zoom.us/v2', zoom_client_id: null,
      zoom_redirect: 'loopback', zoom_bounce_url: null, zoom_s2s_account_id: null, zoom_s2s_client_id: null,
      microsoft_auth_base: 'https://login.microsoftonline.com', microsoft_graph_base: 'https://graph.microsoft.com/v1.0',
      microsoft_client_id: null, microsoft_tenant: 'organizations', microsoft_redirect: 'loopback',
      zoom_client_secret_set: false, zoom_s2s_client_secret_set: false,
    });
    root.append(form);
    submit(form);
    await settle();
    expect(shownErrors(form)).toEqual([document.getElementById('ps-error')]);
    expect(document.getElementById('ps-error')?.textContent).toBe('zoom.api_base: could not be saved');
  });
});
