// The first-start wizard and the sign-in screen (pick your name, enter your PIN).
import { asAppError, ipc } from './ipc';
import type { AppStatus, Staff } from './ipc';
import { h } from './dom';
import { t, tk } from './messages';

export function renderSetup(root: HTMLElement, onDone: (admin: Staff) => void): void {
  const guessTz = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  const error = h('p', { class: 'field-error', role: 'alert', hidden: true });
  const field = (id: string, label: string, attrs: Record<string, string | number | boolean>) =>
    h('div', { class: 'field' }, h('label', { for: id }, label), h('input', { id, ...attrs }));
  const form = h('form', { class: 'card narrow', 'aria-labelledby': 'setup-title' },
    h('h1', { id: 'setup-title' }, t('setup.title')),
    h('p', {}, t('setup.intro')),
    field('setup-clinic', t('setup.clinic'), { required: true, maxlength: 500 }),
    field('setup-tz', t('setup.tz'), { required: true, value: guessTz }),
    field('setup-admin', t('setup.admin'), { required: true, maxlength: 500 }),
    field('setup-pin', t('setup.pin'), { required: true, type: 'password', inputmode: 'numeric', autocomplete: 'new-password' }),
    error,
    h('button', { type: 'submit', class: 'primary' }, t('setup.submit')));
  const value = (id: string) => (form.querySelector(`#${id}`) as HTMLInputElement).value;
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      onDone(await ipc.firstRun(value('setup-clinic'), value('setup-tz'), value('setup-admin'), value('setup-pin')));
    } catch (err) {
      error.textContent = asAppError(err).message;
      error.hidden = false;
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
