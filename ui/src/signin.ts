// The first-start wizard, the sign-in screen (pick your name, enter your PIN), and the new PIN
// that a sign-in with a too-short older PIN must choose before anything else.
import { asAppError, ipc } from './ipc';
import type { AppStatus, ServerChoice, SignInAnswer, Staff } from './ipc';
import { step } from './painted';
import { ServerBanner } from './serverlink';
import { h } from './dom';
import { pickZone } from './when';
import { prepareFormats, t, tk } from './messages';

/** A form's boxes, each with the key the backend names it by in an error's `field`. */
class Boxes {
  readonly list: { id: string; key: string }[] = [];
  readonly error = h('p', { class: 'field-error', role: 'alert', hidden: true });
  constructor(private form: () => HTMLElement) {}

  field(id: string, key: string, label: string, attrs: Record<string, string | number | boolean>): HTMLElement {
    this.list.push({ id, key });
    return h('div', { class: 'field' }, h('label', { for: id }, label),
      h('input', { id, 'aria-describedby': `${id}-error`, ...attrs }),
      h('p', { class: 'field-error', id: `${id}-error`, hidden: true }));
  }

  input(id: string): HTMLInputElement {
    return this.form().querySelector(`#${id}`) as HTMLInputElement;
  }

  value(id: string): string {
    return this.input(id).value;
  }

  private beside(id: string): HTMLElement {
    return this.form().querySelector(`#${id}-error`) as HTMLElement;
  }

  clear(): void {
    this.error.hidden = true;
    for (const { id } of this.list) { this.beside(id).hidden = true; this.input(id).removeAttribute('aria-invalid'); }
  }

  /** What was typed stays; the message goes beside the box the backend names, else below. */
  show(err: unknown): void {
    const refusal = asAppError(err);
    const at = this.list.find((b) => b.key === refusal.field);
    const target = at ? this.beside(at.id) : this.error;
    target.textContent = refusal.message;
    target.hidden = false;
    if (at) { this.input(at.id).setAttribute('aria-invalid', 'true'); this.input(at.id).focus(); }
  }
}

/**
 * First start: a new clinic on this computer (the clinic and its first admin), or this desk
 * joined to the clinic's server (`renderJoin`).
 */
export function renderSetup(root: HTMLElement, onDone: (admin: Staff) => void): void {
  const guessTz = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  const boxes = new Boxes(() => form);
  const form: HTMLElement = h('form', { class: 'card narrow', 'aria-labelledby': 'setup-title', novalidate: true },
    h('h1', { id: 'setup-title' }, t('setup.title')),
    h('div', { class: 'segmented', role: 'group', 'aria-label': t('setup.how') },
      h('button', { type: 'button', id: 'setup-new', 'aria-pressed': 'true' }, t('setup.new')),
      h('button', { type: 'button', id: 'setup-join', 'aria-pressed': 'false', onclick: () => renderJoin(root, null, () => renderSetup(root, onDone)) }, t('setup.join'))),
    h('p', {}, t('setup.intro')),
    boxes.field('setup-clinic', 'clinic_name', t('setup.clinic'), { required: true, maxlength: 500 }),
    boxes.field('setup-tz', 'tz', t('setup.tz'), { required: true, value: guessTz }),
    boxes.field('setup-admin', 'admin_name', t('setup.admin'), { required: true, maxlength: 500 }),
    boxes.field('setup-pin', 'pin', t('setup.pin'), { required: true, type: 'password', inputmode: 'numeric', autocomplete: 'new-password' }),
    boxes.error,
    h('button', { type: 'submit', class: 'primary' }, t('setup.submit')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    boxes.clear();
    try {
      onDone(await ipc.firstRun(boxes.value('setup-clinic'), boxes.value('setup-tz'), boxes.value('setup-admin'), boxes.value('setup-pin')));
    } catch (err) {
      boxes.show(err);
    }
  });
  root.replaceChildren(form);
  const tz = form.querySelector<HTMLInputElement>('#setup-tz');
  if (tz) pickZone(tz, guessTz);
  boxes.input('setup-clinic').focus();
}

/**
 * "Join my clinic's server": where the server is, as the clinic's IT wrote it down, and the
 * password (kept in this computer's keyring). The backend checks it all before keeping it; then
 * the app starts again on the server. `current` fills the form in (changing the server);
 * `back` returns to the screen it came from.
 */
export function renderJoin(root: HTMLElement, current: ServerChoice | null, back: (() => void) | null): void {
  const boxes = new Boxes(() => form);
  const form: HTMLElement = h('form', { class: 'card narrow', 'aria-labelledby': 'join-title', novalidate: true },
    h('h1', { id: 'join-title' }, t('join.title')),
    back ? h('div', { class: 'segmented', role: 'group', 'aria-label': t('setup.how') },
      h('button', { type: 'button', id: 'setup-new', 'aria-pressed': 'false', onclick: back }, t('setup.new')),
      h('button', { type: 'button', id: 'setup-join', 'aria-pressed': 'true' }, t('setup.join'))) : null,
    h('p', {}, t('join.intro')),
    boxes.field('join-host', 'host', t('join.host'), { required: true, value: current?.host ?? '', autocomplete: 'off', spellcheck: false }),
    boxes.field('join-port', 'port', t('join.port'), { required: true, type: 'number', min: 1, max: 65535, value: current?.port ?? 5432 }),
    boxes.field('join-database', 'database', t('join.database'), { required: true, value: current?.database ?? 'frontdesk', spellcheck: false }),
    boxes.field('join-user', 'user', t('join.user'), { required: true, value: current?.user ?? 'frontdesk', spellcheck: false }),
    boxes.field('join-password', 'password', t('join.password'), { type: 'password', autocomplete: 'off' }),
    boxes.field('join-ca', 'ca_file', t('join.ca'), { value: current?.ca_file ?? '', spellcheck: false }),
    boxes.error,
    h('button', { type: 'submit', class: 'primary' }, t('join.submit')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    boxes.clear();
    const choice: ServerChoice = {
      host: boxes.value('join-host').trim(),
      port: Number(boxes.value('join-port')) || 0,
      database: boxes.value('join-database').trim(),
      user: boxes.value('join-user').trim(),
      ca_file: boxes.value('join-ca').trim() || null,
    };
    try {
      await ipc.joinServer(choice, boxes.value('join-password'));
    } catch (err) {
      return boxes.show(err);
    }
    root.replaceChildren(h('section', { class: 'card narrow', role: 'status' },
      h('h1', {}, t('join.done')), h('p', {}, `${choice.host}:${choice.port}/${choice.database}`)));
    await ipc.restartApp();
  });
  root.replaceChildren(form);
  boxes.input('join-host').focus();
}

export function renderSignIn(root: HTMLElement, status: AppStatus, onDone: (signedIn: SignInAnswer) => void): void {
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
  // A desk whose server is away signs in from its copy, and says so.
  const server = status.clinic ? new ServerBanner(status.clinic.tz) : null;
  const stopServer = server?.start() ?? (() => undefined);
  const picked = () => form.querySelector('input[name=person]:checked') as HTMLInputElement | null;
  // The backend checks the PIN as it is typed (from its sixth digit), so that Enter waits for
  // little of the check; it answers nothing until the sign-in.
  pin.addEventListener('input', () => {
    const person = picked();
    if (person) void ipc.pinTyped(Number(person.value), pin.value).catch(() => undefined);
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const person = picked();
    if (!person) return;
    try {
      const signedIn = await ipc.signIn(Number(person.value), pin.value);
      step('signed-in');
      stopServer();
      onDone(signedIn);
    } catch (err) {
      error.textContent = asAppError(err).message;
      error.hidden = false;
      pin.value = '';
      pin.focus();
    }
  });
  root.replaceChildren(...(server ? [server.element] : []), form);
  pin.focus();
  // Once the screen is painted, while the PIN is typed: what the day view will format with.
  const clinic = status.clinic;
  if (clinic) requestAnimationFrame(() => setTimeout(() => prepareFormats(clinic.locale, clinic.tz), 0));
}

/**
 * The step after a sign-in with a PIN shorter than 6 digits: choose a new one (typed twice).
 * The backend refuses every other command until it is saved. `onDone` opens the desk;
 * `onSignedOut` shows the sign-in screen again (signed out here, or the desk locked meanwhile).
 */
export function renderPinChange(root: HTMLElement, me: Staff, onDone: (me: Staff) => void, onSignedOut: () => void): void {
  const boxes = new Boxes(() => form);
  const signOut = async () => { await ipc.signOut().catch(() => undefined); onSignedOut(); };
  const form: HTMLElement = h('form', { class: 'card narrow', 'aria-labelledby': 'pin-title', novalidate: true },
    h('h1', { id: 'pin-title' }, t('pin.title')),
    h('p', {}, t('pin.intro', { name: me.name })),
    boxes.field('pin-new', 'pin', t('pin.new'), { required: true, type: 'password', inputmode: 'numeric', autocomplete: 'new-password' }),
    boxes.field('pin-again', 'pin_again', t('pin.again'), { required: true, type: 'password', inputmode: 'numeric', autocomplete: 'new-password' }),
    boxes.error,
    h('button', { type: 'submit', class: 'primary', id: 'pin-submit' }, t('pin.submit')),
    h('button', { type: 'button', id: 'pin-sign-out', onclick: () => void signOut() }, t('pin.cancel')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    boxes.clear();
    if (boxes.value('pin-new') !== boxes.value('pin-again')) {
      return boxes.show({ kind: 'validation', field: 'pin_again', message: t('pin.mismatch') });
    }
    try {
      onDone(await ipc.changePin(boxes.value('pin-new')));
    } catch (err) {
      // Locked for want of use, or signed out elsewhere: back to the sign-in screen.
      if (asAppError(err).kind === 'unauthenticated') return onSignedOut();
      boxes.show(err);
    }
  });
  root.replaceChildren(form);
  boxes.input('pin-new').focus();
}
