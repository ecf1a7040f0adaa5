// The first-start wizard and the sign-in screen (pick your name, enter your PIN).
import { asAppError, ipc } from './ipc';
import type { AppStatus, Staff } from './ipc';
import { h } from './dom';
import { t, tk } from './messages';

export function renderSetup(root: HTMLElement, onDone: (admin: Staff) => void): void {
  const guessTz = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  const error = h('p', { class: 'field-error', role: 'alert', hidden: true });
  // Each box with the key the backend names it by in an error's `field`, and its own error line.
  const boxes: { id: string; key: string }[] = [];
  const field = (id: string, key: string, label: string, attrs: Record<string, string | number | boolean>) => {
    boxes.push({ id, key });
    return h('div', { class: 'field' }, h('label', { for: id }, label),
      h('input', { id, 'aria-describedby': `${id}-error`, ...attrs }),
      h('p', { class: 'field-error', id: `${id}-error`, hidden: true }));
  };
  const form = h('form', { class: 'card narrow', 'aria-labelledby': 'setup-title', novalidate: true },
    h('h1', { id: 'setup-title' }, t('setup.title')),
    h('p', {}, t('setup.intro')),
    field('setup-clinic', 'clinic_name', t('setup.clinic'), { required: true, maxlength: 500 }),
    field('setup-tz', 'tz', t('setup.tz'), { required: true, value: guessTz }),
    field('setup-admin', 'admin_name', t('setup.admin'), { required: true, maxlength: 500 }),
    field('setup-pin', 'pin', t('setup.pin'), { required: true, type: 'password', inputmode: 'numeric', autocomplete: 'new-password' }),
    error,
    h('button', { type: 'submit', class: 'primary' }, t('setup.submit')));
  const input = (id: string) => form.querySelector(`#${id}`) as HTMLInputElement;
  const beside = (id: string) => form.querySelector(`#${id}-error`) as HTMLElement;
  const value = (id: string) => input(id).value;
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.hidden = true;
    for (const { id } of boxes) { beside(id).hidden = true; input(id).removeAttribute('aria-invalid'); }
    try {
      onDone(await ipc.firstRun(value('setup-clinic'), value('setup-tz'), value('setup-admin'), value('setup-pin')));
    } catch (err) {
      // What was typed stays; the message goes beside the box the backend names, else below.
      const refusal = asAppError(err);
      const at = boxes.find((b) => b.key === refusal.field);
      const target = at ? beside(at.id) : error;
      target.textContent = refusal.message;
      target.hidden = false;
      if (at) { input(at.id).setAttribute('aria-invalid', 'true'); input(at.id).focus(); }
    }
  });
  root.replaceChildren(form);
  (form.querySelector('input') as HTMLInputElement).focus();
}

export function renderSignIn(root: HTMLElement, status: AppStatus, onDone: (staff: Staff) => void): void {
  const people = status.staff.filter((s) => s.has_pin);
  const error = h('p', { class: 'field-error', id: 'signin-error', role: 'alert', hidden: true });
  const pin = h('input', { id: 'signin-pin', type: 'password', inputmode: 'numeric', autocomplete: 'current-password', required: true, 'aria-describedby': 'signin-error' });
  const choices = h('fieldset', { class: 'people' },
    h('legend', {}, t('signin.title')),
    ...people.map((s, i) => h('label', { class: 'person' },
      h('input', { type: 'radio', name: 'person', value: s.id, checked: i === 0 }),
      h('span', {}, s.name), h('span', { class: 'muted' }, tk(`role.${s.role}`)))));
  const form = h('form', { class: 'card narrow', 'aria-label': t('signin.title') },
    h('h1', {}, status.clinic?.name ?? t('app.title')),
    choices,
    h('div', { class: 'field' }, h('label', { for: 'signin-pin' }, t('signin.pin')), pin),
    error,
    h('button', { type: 'submit', class: 'primary', id: 'signin-submit' }, t('signin.submit')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const picked = form.querySelector('input[name=person]:checked') as HTMLInputElement | null;
    if (!picked) return;
    try {
      onDone(await ipc.signIn(Number(picked.value), pin.value));
    } catch (err) {
      error.textContent = asAppError(err).message;
      error.hidden = false;
      pin.value = '';
      pin.focus();
    }
  });
  root.replaceChildren(form);
  pin.focus();
}
