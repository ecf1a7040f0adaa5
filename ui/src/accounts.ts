// Video visits: each doctor's Zoom and Microsoft Teams connection, the connect wizard, and (for
// admins) the clinic's provider settings. The window only ever learns a connection's state and
// account e-mail: the sign-in happens in the system browser and the tokens stay in Rust. The
// backend enforces who may do what (a doctor only their own accounts; settings for admins only);
// this screen merely does not offer the rest.
import { Channel, asAppError, events, ipc } from './ipc';
import type { Connection, ConnectionEvent, Provider, ProviderSettings, RedirectMode, Setting, Staff, UnlistenFn } from './ipc';
import { h, trapFocus } from './dom';
import { formatList, t } from './messages';
import type { MessageKey } from './messages';

const PROVIDERS: Provider[] = ['zoom', 'microsoft'];

/** What a table cell shows; `none` is a doctor/provider pair with no usable connection that needs no reconnect. */
export type CellState = 'connected' | 'disconnected' | 'none';

/** "Zoom" / "Microsoft Teams": the service a visit is held on. */
const service = (p: Provider) => t(p === 'zoom' ? 'acct.zoom' : 'acct.microsoft');
/** "Zoom" / "Microsoft": whose sign-in page and whose account. */
const company = (p: Provider) => t(p === 'zoom' ? 'acct.zoomCompany' : 'acct.microsoftCompany');
const words = (doctor: Doctor, provider: Provider) =>
  ({ service: service(provider), company: company(provider), doctor: doctor.name });

type Doctor = Pick<Staff, 'id' | 'name'>;

/** A modal dialog on an overlay: labelled, focus kept inside, Escape handled by `onEscape`. */
function modal(id: string, role: 'dialog' | 'alertdialog', titleId: string, onEscape: () => void, ...content: HTMLElement[]) {
  // tabindex -1: the dialog can hold focus itself while none of its buttons can (busy).
  const dialog = h('div', { class: 'dialog', id, role, 'aria-modal': 'true', 'aria-labelledby': titleId, tabindex: -1 }, ...content);
  const overlay = h('div', { class: 'overlay' }, dialog);
  trapFocus(dialog);
  dialog.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape') return;
    e.preventDefault();
    e.stopPropagation();
    onEscape();
  });
  // A click on the dimmed backdrop must not take focus out of the dialog.
  overlay.addEventListener('mousedown', (e) => { if (e.target === overlay) e.preventDefault(); });
  document.body.append(overlay);
  return { dialog, overlay };
}

// ---------------------------------------------------------------------------------------------
// The connect wizard: explain → waiting (the browser) → done, or failed with Try again.

export type WizardStep = 'explain' | 'waiting' | 'done' | 'failed';

export interface WizardOptions {
  doctor: Doctor;
  provider: Provider;
  /** The account is connected (the table behind should refresh). */
  onConnected: (email: string) => void;
  /** The wizard closed, however. */
  onClose: () => void;
}

let openWizard: { close: () => Promise<void> } | null = null;

/**
 * Closes the connect wizard if one is open, cancelling its sign-in (the desk is locking: await
 * it before signing out, or the backend refuses the cancel for want of a session).
 */
export function closeConnectWizard(): Promise<void> {
  return openWizard?.close() ?? Promise.resolve();
}

export function openConnectWizard(opts: WizardOptions): HTMLElement {
  void openWizard?.close();
  const { doctor, provider } = opts;
  const vars = words(doctor, provider);
  // `starting`: connectAccount is on its way; the explain step stays up with a busy button.
  let phase: WizardStep | 'starting' = 'explain';
  let attempt = 0;
  let flowStarted = false;
  let closed = false;

  const stepNames: [MessageKey, WizardStep[]][] = [
    ['wiz.stepExplain', ['explain']], ['wiz.stepSignIn', ['waiting', 'failed']], ['wiz.stepDone', ['done']],
  ];
  const progress = h('ol', { class: 'steps', 'aria-label': t('wiz.progress') },
    ...stepNames.map(([key]) => h('li', {}, t(key))));
  const body = h('div', { class: 'wizard-body' });

  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    attempt += 1; // anything still on its way is for a closed wizard
    const cancelled = flowStarted && phase !== 'done'
      ? ipc.cancelConnect(doctor.id, provider).then(() => undefined, () => undefined) : Promise.resolve();
    void listening.then((stop) => stop?.()).catch(() => undefined);
    overlay.remove();
    openWizard = null;
    opts.onClose();
    await cancelled;
  };
  const dismiss = () => void close();

  const { dialog, overlay } = modal('connect-wizard', 'dialog', 'connect-title', dismiss,
    h('h2', { id: 'connect-title' }, t('wiz.title', vars)), progress, body);
  dialog.classList.add('wizard');
  dialog.dataset.doctor = String(doctor.id);
  dialog.dataset.provider = provider;

  const show = (step: WizardStep, focus: HTMLElement, ...content: (HTMLElement | null)[]) => {
    phase = step;
    dialog.dataset.step = step;
    stepNames.forEach(([, steps], i) => {
      const item = progress.children[i] as HTMLElement;
      if (steps.includes(step)) item.setAttribute('aria-current', 'step'); else item.removeAttribute('aria-current');
    });
    body.replaceChildren(h('div', { class: `step step-${step}`, 'data-step': step }, ...content.filter((c): c is HTMLElement => c !== null)));
    focus.focus();
  };

  const actions = (...buttons: HTMLElement[]) => h('div', { class: 'actions' }, ...buttons);
  const button = (id: string, label: string, onclick: () => void, primary = false) =>
    h('button', { type: 'button', id, class: primary ? 'primary' : null, onclick }, label);

  const explain = () => {
    const open = button('connect-start', t('wiz.open', vars), () => void start(), true);
    open.dataset.action = 'open-sign-in';
    show('explain', open,
      h('p', {}, t('wiz.lead', vars)),
      h('ol', { class: 'explain' }, h('li', {}, t('wiz.explain1', vars)), h('li', {}, t('wiz.explain2', vars)), h('li', {}, t('wiz.explain3', vars))),
      h('h3', { class: 'facts-title' }, t('wiz.factsTitle')),
      h('ul', { class: 'facts' }, h('li', {}, t('wiz.factKeyring')), h('li', {}, t('wiz.factAccount', vars)), h('li', {}, t('wiz.factPrivacy', vars))),
      actions(button('connect-close', t('acct.cancel'), dismiss), open));
  };

  const waiting = (authorizeUrl: string) => {
    const link = h('input', { id: 'connect-link', type: 'text', readonly: true, value: authorizeUrl, spellcheck: 'false', 'aria-describedby': 'connect-copied' });
    const copied = h('p', { id: 'connect-copied', class: 'muted', role: 'status' });
    const copy = button('connect-copy', t('wiz.copy'), () => void copyLink(link, copied));
    link.addEventListener('focus', () => link.select());
    show('waiting', link,
      h('p', { class: 'waiting', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), h('strong', {}, t('wiz.waiting'))),
      h('p', { class: 'muted' }, t('wiz.waitingHint', vars)),
      h('div', { class: 'field' }, h('label', { for: 'connect-link' }, t('wiz.link')), h('div', { class: 'copy-row' }, link, copy), copied),
      actions(button('connect-cancel', t('acct.cancel'), dismiss)));
  };

  const done = (email: string) => {
    const finish = button('connect-done', t('wiz.done'), dismiss, true);
    show('done', finish,
      h('p', { class: 'connected-as', id: 'connect-result', role: 'status' },
        h('span', { class: 'tick', 'aria-hidden': 'true' }, '✓'), ' ', t('wiz.connectedAs', { email })),
      h('p', { class: 'muted' }, t('wiz.doneHint', vars)),
      actions(finish));
  };

  const failed = (message: string) => {
    const retry = button('connect-retry', t('wiz.retry'), () => void start(), true);
    show('failed', retry,
      h('h3', {}, t('wiz.failedTitle')),
      h('p', { class: 'field-error', id: 'connect-error', role: 'alert' }, message),
      h('p', { class: 'muted' }, t('wiz.failedHint')),
      actions(button('connect-close', t('acct.close'), dismiss), retry));
  };

  // A deep-link answer that the app refused belongs to no doctor (id 0): it still ends this wait.
  const ours = (e: ConnectionEvent) =>
    e.provider === provider && (e.doctor_id === doctor.id || (e.doctor_id === 0 && e.error !== null));

  const outcome = (e: ConnectionEvent, from: number) => {
    if (closed || from !== attempt || (phase !== 'waiting' && phase !== 'starting') || !ours(e)) return;
    if (e.account_email && !e.error) {
      flowStarted = false;
      done(e.account_email);
      opts.onConnected(e.account_email);
    } else {
      failed(e.error ?? t('wiz.unknownError'));
    }
  };

  // Listen before starting, so that a quick answer cannot be missed: a deep-link sign-in ends
  // with this event (a loopback one answers on its channel).
  const listening: Promise<UnlistenFn | null> = events.accountConnection.listen((event) => outcome(event.payload, attempt))
    .catch(() => null);

  const start = async () => {
    const mine = ++attempt;
    dialog.querySelectorAll<HTMLButtonElement>('#connect-start, #connect-retry').forEach((b) => {
      b.disabled = true;
      b.textContent = t('wiz.opening');
    });
    phase = 'starting';
    dialog.setAttribute('aria-busy', 'true');
    dialog.focus(); // the disabled button cannot keep it, and Escape must still reach the dialog
    await listening;
    const channel = new Channel<ConnectionEvent>((e) => outcome(e, mine));
    flowStarted = true;
    try {
      const started = await ipc.connectAccount(doctor.id, provider, channel);
      // Closed while the browser was opening: the cancel may have gone before the wait began.
      if (closed) void ipc.cancelConnect(doctor.id, provider).catch(() => undefined);
      else if (mine === attempt && phase === 'starting') waiting(started.authorize_url);
    } catch (err) {
      if (mine === attempt) failed(asAppError(err).message);
    } finally {
      dialog.removeAttribute('aria-busy');
    }
  };

  openWizard = { close };
  explain();
  return overlay;
}

async function copyLink(input: HTMLInputElement, status: HTMLElement): Promise<void> {
  try {
    await navigator.clipboard.writeText(input.value);
    status.textContent = t('wiz.copied');
  } catch {
    input.select();
    status.textContent = document.execCommand?.('copy') ? t('wiz.copied') : t('wiz.copyFailed');
  }
}

// ---------------------------------------------------------------------------------------------
// The desk's alert: connections the provider refused (revoked or expired there).

/**
 * The refused connections `me` is told about: a doctor their own, an admin every doctor's (only
 * those in `doctors`, when given: the Video visits screen shows active doctors only, and an alert
 * nobody can act on would never go away), a receptionist none.
 */
export function refusedConnections(connections: Connection[], me: Pick<Staff, 'id' | 'role'>, doctors?: Pick<Staff, 'id'>[]): Connection[] {
  // `needs_reconnect`: the provider refused it (one disconnected at the desk was meant).
  const refused = connections.filter((c) => c.needs_reconnect);
  if (me.role === 'doctor') return refused.filter((c) => c.doctor_id === me.id);
  if (me.role !== 'admin') return [];
  return doctors ? refused.filter((c) => doctors.some((d) => d.id === c.doctor_id)) : refused;
}

/** The alert's one line for `refused` (see `refusedConnections`), or null when all is well. */
export function reconnectAlert(refused: Connection[], me: Pick<Staff, 'id' | 'role'>): string | null {
  if (refused.length === 0) return null;
  if (me.role === 'doctor') {
    const services = formatList(refused.map((c) => service(c.provider)));
    return t(refused.length === 1 ? 'alert.own' : 'alert.ownBoth', { services });
  }
  if (refused.length > 2) return t('alert.many', { count: String(refused.length) });
  return t('alert.admin', { items: formatList(refused.map((c) => t('alert.item', { service: service(c.provider), doctor: c.doctor_name }))) });
}

// ---------------------------------------------------------------------------------------------
// The screen.

/** Renders the screen into `root`; `onChanged` runs each time it reloads the connections. */
export async function renderAccounts(root: HTMLElement, me: Staff, onChanged: () => void = () => undefined): Promise<void> {
  const admin = me.role === 'admin';
  let settingsProblem: string | null = null;
  const [staff, settings] = await Promise.all([
    ipc.listStaff(),
    admin ? ipc.providerSettings().catch((e) => { settingsProblem = asAppError(e).message; return null; }) : null,
  ]);
  let doctors: Doctor[] = staff.filter((s) => s.role === 'doctor' && s.active);
  if (me.role === 'doctor') doctors = doctors.some((d) => d.id === me.id) ? doctors.filter((d) => d.id === me.id) : [me];

  const notice = h('p', { id: 'accounts-notice', class: 'notice', role: 'status' });
  const say = (text: string, problem = false) => {
    notice.textContent = text;
    notice.classList.toggle('problem', problem);
  };
  const hints = h('div', { class: 'setup-hints' });
  const showHints = (s: ProviderSettings | null) => hints.replaceChildren(...(s ? PROVIDERS : [])
    .filter((p) => !(p === 'zoom' ? s?.zoom_client_id : s?.microsoft_client_id))
    .map((p) => h('p', { class: 'muted' }, t('acct.notSetUp', { service: service(p), company: company(p) }))));
  showHints(settings);
  if (settingsProblem) say(settingsProblem, true);

  const tbody = h('tbody');
  const cellButton = (doctor: Doctor, provider: Provider) =>
    tbody.querySelector<HTMLButtonElement>(`td[data-doctor="${doctor.id}"][data-provider="${provider}"] button`);

  const refresh = async () => {
    let connections: Connection[];
    try {
      connections = await ipc.connections();
    } catch (e) {
      say(asAppError(e).message, true);
      return;
    }
    const find = (d: Doctor, p: Provider) => connections.find((c) => c.doctor_id === d.id && c.provider === p);
    tbody.replaceChildren(...(doctors.length ? doctors.map((d) => h('tr', { 'data-doctor': d.id },
      h('th', { scope: 'row' }, d.name),
      ...PROVIDERS.map((p) => cell(d, p, find(d, p))))) : [h('tr', {}, h('td', { colspan: 3, class: 'muted' }, t('cal.noDoctors')))]));
    onChanged();
  };

  const cell = (doctor: Doctor, provider: Provider, c: Connection | undefined): HTMLTableCellElement => {
    // One disconnected at the desk on purpose is simply not connected; one the provider refused
    // needs a reconnect.
    const state: CellState = c?.state === 'connected' ? 'connected' : c?.needs_reconnect ? 'disconnected' : 'none';
    const vars = words(doctor, provider);
    const mayAct = admin || me.id === doctor.id;
    const action = (name: string, text: MessageKey, label: MessageKey, onclick: () => void, cls: string | null = null) =>
      h('button', { type: 'button', class: cls, 'data-action': name, 'aria-label': t(label, vars), onclick }, t(text));
    const connect = () => openConnectWizard({
      doctor, provider,
      onConnected: () => { say(''); void refresh(); },
      onClose: () => cellButton(doctor, provider)?.focus(),
    });
    const status = state === 'connected'
      ? h('p', { class: 'conn-state' }, h('span', { class: 'dot', 'aria-hidden': 'true' }),
        c?.account_email ? t('acct.connectedAs', { email: c.account_email }) : t('acct.connected'))
      : state === 'disconnected'
        ? h('p', { class: 'conn-state' }, h('span', { class: 'dot', 'aria-hidden': 'true' }), t('acct.disconnected'))
        : h('p', { class: 'conn-state muted' }, t('acct.none'));
    const buttons = !mayAct ? [] : state === 'connected'
      ? [action('disconnect', 'acct.disconnect', 'acct.disconnectFor', () => confirmDisconnect(doctor, provider))]
      : state === 'disconnected'
        ? [action('reconnect', 'acct.reconnect', 'acct.reconnectFor', connect, 'primary'),
          action('disconnect', 'acct.disconnect', 'acct.disconnectFor', () => confirmDisconnect(doctor, provider))]
        : [action('connect', 'acct.connect', 'acct.connectFor', connect)];
    if (admin && provider === 'zoom' && state !== 'connected') {
      buttons.push(h('button', { type: 'button', class: 'link', 'data-action': 's2s', 'aria-label': t('acct.s2sFor', vars), onclick: () => serverToServer(doctor) }, t('acct.s2s')));
    }
    return h('td', { class: `conn state-${state}`, 'data-doctor': doctor.id, 'data-provider': provider, 'data-state': state },
      status,
      c?.kind === 'server_to_server' && state === 'connected' ? h('p', { class: 'muted small' }, t('acct.viaS2s')) : null,
      state === 'disconnected' && c?.problem ? h('p', { class: 'problem' }, c.problem) : null,
      buttons.length ? h('div', { class: 'cell-actions' }, ...buttons) : null);
  };

  const confirmDisconnect = (doctor: Doctor, provider: Provider) => {
    const vars = words(doctor, provider);
    const error = h('p', { class: 'field-error', id: 'disconnect-error', role: 'alert', hidden: true });
    const keep = h('button', { type: 'button', id: 'disconnect-keep', onclick: () => dismiss() }, t('acct.keep'));
    const go = h('button', { type: 'button', id: 'disconnect-confirm-button', class: 'danger', onclick: () => void disconnect() }, t('acct.disconnect'));
    const { dialog, overlay } = modal('disconnect-confirm', 'alertdialog', 'disconnect-title', () => dismiss(),
      h('h2', { id: 'disconnect-title' }, t('acct.confirmTitle', vars)),
      h('p', { id: 'disconnect-text' }, t('acct.confirmText', vars)),
      error,
      h('div', { class: 'actions' }, keep, go));
    dialog.setAttribute('aria-describedby', 'disconnect-text');
    const dismiss = () => { overlay.remove(); cellButton(doctor, provider)?.focus(); };
    const disconnect = async () => {
      go.disabled = true;
      try {
        const result = await ipc.disconnectAccount(doctor.id, provider);
        overlay.remove();
        say(result.revoked_at_provider ? t('acct.revoked', vars)
          : result.note ? t('acct.notRevoked', { ...vars, note: result.note }) : t('acct.notRevokedNoNote', vars));
        await refresh();
        cellButton(doctor, provider)?.focus();
      } catch (e) {
        error.textContent = asAppError(e).message;
        error.hidden = false;
        go.disabled = false;
      }
    };
    keep.focus(); // the safe choice is the default one
  };

  const serverToServer = (doctor: Doctor) => {
    const email = h('input', { id: 's2s-email', type: 'email', autocomplete: 'off', required: true, 'aria-describedby': 's2s-text s2s-error' });
    const error = h('p', { class: 'field-error', id: 's2s-error', role: 'alert', hidden: true });
    const submit = h('button', { type: 'submit', class: 'primary', id: 's2s-submit' }, t('acct.s2sSubmit'));
    const form = h('form', { class: 'booking', novalidate: true },
      h('h2', { id: 's2s-title' }, t('acct.s2sTitle', { doctor: doctor.name })),
      h('p', { id: 's2s-text' }, t('acct.s2sText', { doctor: doctor.name })),
      h('div', { class: 'field' }, h('label', { for: 's2s-email' }, t('acct.s2sEmail', { doctor: doctor.name })), email, error),
      h('div', { class: 'actions' }, h('button', { type: 'button', onclick: () => dismiss() }, t('acct.cancel')), submit));
    const { overlay } = modal('s2s-dialog', 'dialog', 's2s-title', () => dismiss(), form);
    const dismiss = () => { overlay.remove(); cellButton(doctor, 'zoom')?.focus(); };
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      submit.disabled = true;
      try {
        const connected = await ipc.connectServerToServer(doctor.id, email.value.trim());
        overlay.remove();
        say(t('acct.s2sDone', { doctor: doctor.name, email: connected.account_email }));
        await refresh();
        cellButton(doctor, 'zoom')?.focus();
      } catch (err) {
        error.textContent = asAppError(err).message;
        error.hidden = false;
        email.setAttribute('aria-invalid', 'true');
        email.focus();
      } finally {
        submit.disabled = false;
      }
    });
    email.focus();
  };

  await refresh();
  root.replaceChildren(h('section', { class: 'accounts', id: 'accounts', 'aria-labelledby': 'accounts-title' },
    h('div', { class: 'accounts-head' },
      h('h1', { id: 'accounts-title' }, t('nav.accounts')),
      h('p', { class: 'muted intro' }, t(admin ? 'acct.introAdmin' : 'acct.introDoctor'))),
    hints,
    notice,
    h('div', { class: 'card table-card' },
      h('table', { id: 'accounts-table' },
        h('caption', { class: 'sr-only' }, t('acct.caption')),
        h('thead', {}, h('tr', {},
          h('th', { scope: 'col' }, t('acct.doctor')),
          ...PROVIDERS.map((p) => h('th', { scope: 'col' }, service(p))))),
        tbody)),
    admin && settings ? providerSettingsForm(settings, showHints) : null));
}

// ---------------------------------------------------------------------------------------------
// Provider settings (admins).

type Prop = Exclude<keyof ProviderSettings, 'zoom_client_secret_set' | 'zoom_s2s_client_secret_set'>;
type Secret = 'zoom_client_secret' | 'zoom_s2s_client_secret';
/** A box of the form: `name` is its property of ProviderSettings, `key` the setting a refusal names in `field`. */
type SettingField = { name: Prop | Secret; key: Setting; label: MessageKey; hint?: MessageKey; kind?: 'url' | 'secret' | 'redirect' };

const GROUPS: [MessageKey, SettingField[], MessageKey?][] = [
  ['ps.zoom', [
    { name: 'zoom_auth_base', key: 'zoom.auth_base', label: 'ps.authBase', kind: 'url' },
    { name: 'zoom_api_base', key: 'zoom.api_base', label: 'ps.apiBase', kind: 'url' },
    { name: 'zoom_client_id', key: 'zoom.client_id', label: 'ps.clientId' },
    { name: 'zoom_client_secret', key: 'zoom.client_secret', label: 'ps.clientSecret', hint: 'ps.secretHint', kind: 'secret' },
    { name: 'zoom_redirect', key: 'zoom.redirect', label: 'ps.redirect', kind: 'redirect' },
    { name: 'zoom_bounce_url', key: 'zoom.bounce_url', label: 'ps.bounce', hint: 'ps.bounceHint', kind: 'url' },
  ]],
  ['ps.zoomS2s', [
    { name: 'zoom_s2s_account_id', key: 'zoom.s2s_account_id', label: 'ps.accountId' },
    { name: 'zoom_s2s_client_id', key: 'zoom.s2s_client_id', label: 'ps.clientId' },
    { name: 'zoom_s2s_client_secret', key: 'zoom.s2s_client_secret', label: 'ps.clientSecret', hint: 'ps.secretHint', kind: 'secret' },
  ], 'ps.zoomS2sHint'],
  ['ps.microsoft', [
    { name: 'microsoft_auth_base', key: 'microsoft.auth_base', label: 'ps.authBase', kind: 'url' },
    { name: 'microsoft_graph_base', key: 'microsoft.graph_base', label: 'ps.graphBase', kind: 'url' },
    { name: 'microsoft_client_id', key: 'microsoft.client_id', label: 'ps.appId' },
    { name: 'microsoft_tenant', key: 'microsoft.tenant', label: 'ps.tenant', hint: 'ps.tenantHint' },
    { name: 'microsoft_redirect', key: 'microsoft.redirect', label: 'ps.redirect', kind: 'redirect' },
  ]],
];
const FIELDS = GROUPS.flatMap(([, fields]) => fields);
const REQUIRED: Prop[] = ['zoom_auth_base', 'zoom_api_base', 'microsoft_auth_base', 'microsoft_graph_base', 'microsoft_tenant'];
const fieldId = (name: string) => `ps-${name.replace(/_/g, '-')}`;

export function providerSettingsForm(initial: ProviderSettings, onSaved: (s: ProviderSettings) => void = () => undefined): HTMLFormElement {
  let current = initial;
  const controls = new Map<string, HTMLInputElement | HTMLSelectElement>();
  const errors = new Map<string, HTMLElement>();
  const top = h('p', { class: 'field-error', id: 'ps-error', role: 'alert', hidden: true });
  const saved = h('p', { class: 'muted', id: 'ps-saved', role: 'status' });

  const control = (f: SettingField) => {
    const id = fieldId(f.name);
    const described = [f.hint ? `${id}-hint` : '', `${id}-error`].filter(Boolean).join(' ');
    const el = f.kind === 'redirect'
      ? h('select', { id, 'aria-describedby': described },
        ...([['loopback', 'ps.loopback'], ['deep-link', 'ps.deepLink']] as [RedirectMode, MessageKey][])
          .map(([v, label]) => h('option', { value: v }, t(label))))
      : h('input', {
        id, type: f.kind === 'secret' ? 'password' : f.kind === 'url' ? 'url' : 'text',
        autocomplete: f.kind === 'secret' ? 'new-password' : 'off', spellcheck: 'false',
        required: REQUIRED.includes(f.name as Prop), 'aria-describedby': described,
      });
    controls.set(f.name, el);
    const error = h('p', { class: 'field-error', id: `${id}-error`, hidden: true });
    errors.set(f.name, error);
    return h('div', { class: 'field' }, h('label', { for: id }, t(f.label)), el,
      f.hint ? h('p', { class: 'muted small', id: `${id}-hint` }, t(f.hint)) : null, error);
  };

  const fill = (s: ProviderSettings) => {
    for (const f of FIELDS) {
      const el = controls.get(f.name);
      if (!el) continue;
      if (f.kind === 'secret') {
        const set = f.name === 'zoom_client_secret' ? s.zoom_client_secret_set : s.zoom_s2s_client_secret_set;
        el.value = '';
        if (set) el.setAttribute('placeholder', t('ps.secretStored')); else el.removeAttribute('placeholder');
      } else {
        el.value = s[f.name as Prop] ?? '';
      }
    }
  };

  const clearErrors = () => {
    top.hidden = true;
    errors.forEach((e) => { e.hidden = true; e.textContent = ''; });
    controls.forEach((c) => c.removeAttribute('aria-invalid'));
  };

  const value = (name: string) => (controls.get(name)?.value ?? '').trim();
  const optional = (name: Prop) => value(name) || null;
  const submit = h('button', { type: 'submit', class: 'primary', id: 'ps-save' }, t('ps.save'));
  const form = h('form', { class: 'card editor provider-settings', id: 'provider-settings', novalidate: true, 'aria-labelledby': 'ps-title' },
    h('h2', { id: 'ps-title' }, t('ps.title')),
    h('p', { class: 'muted' }, t('ps.intro')),
    top,
    ...GROUPS.map(([legend, fields, hint]) => h('fieldset', {}, h('legend', {}, t(legend)),
      hint ? h('p', { class: 'muted small' }, t(hint)) : null,
      h('div', { class: 'grid' }, ...fields.map(control)))),
    saved,
    h('div', { class: 'actions' }, submit));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors();
    saved.textContent = '';
    const settings: ProviderSettings = {
      zoom_auth_base: value('zoom_auth_base'),
      zoom_api_base: value('zoom_api_base'),
      zoom_client_id: optional('zoom_client_id'),
      zoom_redirect: value('zoom_redirect') as RedirectMode,
      zoom_bounce_url: optional('zoom_bounce_url'),
      zoom_s2s_account_id: optional('zoom_s2s_account_id'),
      zoom_s2s_client_id: optional('zoom_s2s_client_id'),
      microsoft_auth_base: value('microsoft_auth_base'),
      microsoft_graph_base: value('microsoft_graph_base'),
      microsoft_client_id: optional('microsoft_client_id'),
      microsoft_tenant: value('microsoft_tenant'),
      microsoft_redirect: value('microsoft_redirect') as RedirectMode,
      zoom_client_secret_set: current.zoom_client_secret_set,
      zoom_s2s_client_secret_set: current.zoom_s2s_client_secret_set,
    };
    submit.disabled = true;
    try {
      current = await ipc.updateProviderSettings(settings, value('zoom_client_secret') || null, value('zoom_s2s_client_secret') || null);
      fill(current);
      saved.textContent = t('ps.saved');
      onSaved(current);
    } catch (err) {
      // Whatever was typed stays where it is; the message goes next to the box of the setting
      // the backend names in `field`, or at the top when it names none of them.
      const error = asAppError(err);
      const at = FIELDS.find((f) => f.key === error.field);
      const target = at ? errors.get(at.name) : undefined;
      const input = at ? controls.get(at.name) : undefined;
      if (target && input) {
        target.textContent = error.message;
        target.hidden = false;
        input.setAttribute('aria-invalid', 'true');
        input.focus();
      } else {
        top.textContent = error.message;
        top.hidden = false;
      }
    } finally {
      submit.disabled = false;
    }
  });

  fill(initial);
  return form;
}
