// The signed-in desk: the shell around the screens (top bar, navigation, Find, help, lock), the
// keyboard shortcuts, and the parts it starts and stops together: the calendar screen
// (schedule.ts), the status line (statusline.ts), the inactivity lock (inactivity.ts) and the
// live updates from the backend (live.ts).
import { asAppError, ipc } from './ipc';
import type { Clinic, Staff, Today } from './ipc';
import { h, isTyping } from './dom';
import { setLocale, t } from './messages';
import { STATUS_KEYS } from './panel';
import { renderPatients, renderSettings, renderStaff, renderTypes } from './directory';
import { renderAudit } from './audit';
import { renderHours } from './hours';
import { closeConnectWizard, renderAccounts } from './accounts';
import { ScheduleScreen } from './schedule';
import { openFind } from './find';
import { StatusLine } from './statusline';
import { watchInactivity } from './inactivity';
import { followLiveUpdates } from './live';
import { ServerBanner } from './serverlink';
import { step } from './painted';
import { canBook, canConnect } from './session';
import type { Session } from './session';

type Screen = 'calendar' | 'patients' | 'accounts' | 'staff' | 'types' | 'hours' | 'settings' | 'audit';

export class Desk {
  private session: Session;
  private screen: Screen = 'calendar';
  private content = h('main', { class: 'content', id: 'content' });
  private schedule: ScheduleScreen;
  private status: StatusLine;
  /** Says when the clinic's server is away (the desk shows its copy) and when it is back. */
  private server: ServerBanner;
  private stop: () => void = () => undefined;

  /**
   * `restart` shows the app's first screen again (sign-in) once the desk is locked; `today` is the
   * day view the sign-in read while it checked the PIN (the calendar opens on it at once).
   */
  constructor(private root: HTMLElement, clinic: Clinic, me: Staff, private restart: () => Promise<void>, today: Today | null = null) {
    setLocale(clinic.locale);
    this.session = { me, clinic };
    this.status = new StatusLine(me, () => void this.openAccounts(), clinic.tz);
    this.server = new ServerBanner(clinic.tz);
    this.schedule = new ScheduleScreen(this.session, {
      say: (m) => this.status.say(m),
      lock: () => this.lock(),
      showCalendar: () => this.go('calendar'),
    }, today);
    step('desk-made');
  }

  async open(): Promise<void> {
    const { clinic, me } = this.session;
    const admin = me.role === 'admin';
    const nav = (screen: Screen, label: string) =>
      h('button', { type: 'button', 'data-screen': screen, onclick: () => void this.go(screen) }, label);
    // The admins' screens are in one menu, so that the top bar fits in one line at 1024 px.
    const menu = admin ? this.adminMenu([
      nav('staff', t('nav.staff')), nav('types', t('nav.types')), nav('hours', t('nav.hours')),
      nav('settings', t('nav.settings')), nav('audit', t('nav.audit'))]) : null;
    this.root.replaceChildren(h('div', { class: 'shell' },
      h('header', { class: 'topbar' },
        h('strong', { class: 'clinic', title: clinic.name }, clinic.name),
        h('nav', { 'aria-label': 'Main' },
          nav('calendar', t('nav.calendar')), nav('patients', t('nav.patients')),
          canConnect(me) ? nav('accounts', t('nav.accounts')) : null,
          menu),
        h('button', { type: 'button', id: 'find-button', 'aria-keyshortcuts': '/', onclick: () => this.find() }, `${t('find.open')} (/)`),
        h('button', { type: 'button', id: 'help-button', onclick: () => showHelp(canConnect(me)) }, `${t('nav.help')} (?)`),
        h('button', { type: 'button', id: 'lock-button', onclick: () => void this.lock() }, `${t('nav.lock')} (Ctrl+L)`)),
      this.server.element,
      this.schedule.bar,
      this.content,
      this.status.footer,
      this.status.toast));
    step('desk-shell');
    this.start();
    // The types (for the booking dialog) and the day are read together: start-up waits for one
    // round trip, not two. The types are asked first, so they are there when the day is.
    const types = this.schedule.loadTypes().catch(() => undefined);
    await this.go('calendar');
    await types;
  }

  /** Starts the desk's watchers; `stop` ends them all when it locks. */
  private start(): void {
    const stopInactivity = watchInactivity(() => this.session.clinic.lock_minutes * 60_000, () => void this.lock(),
      () => void ipc.stillHere().catch(() => undefined));
    const onKey = (e: KeyboardEvent) => void this.key(e);
    document.addEventListener('keydown', onKey);
    const stopLive = followLiveUpdates({
      openLink: (link) => void this.schedule.openLink(link),
      meetingsChanged: (ids) => this.schedule.meetingsChanged(ids),
      mailChanged: (id) => this.schedule.mailChanged(id),
      scheduleChanged: (changes) => {
        this.schedule.scheduleChanged(changes);
        // A connection the clinic service refreshed away or another desk made shows at once.
        if (changes.everything) void this.status.checkConnections();
      },
    });
    const stopStatus = this.status.start();
    const stopServer = this.server.start();
    this.stop = () => {
      stopServer();
      stopInactivity();
      document.removeEventListener('keydown', onKey);
      stopStatus();
      stopLive();
      this.schedule.destroy();
    };
  }

  private async key(e: KeyboardEvent): Promise<void> {
    const { me } = this.session;
    const calendar = this.screen === 'calendar';
    if (e.ctrlKey && e.key.toLowerCase() === 'l') { e.preventDefault(); return this.lock(); }
    if (e.ctrlKey && e.key.toLowerCase() === 'p' && calendar) { e.preventDefault(); return this.schedule.printDay(); }
    if (e.ctrlKey && e.key.toLowerCase() === 'z' && calendar && !isTyping(e) && this.schedule.undoBar.offered) {
      e.preventDefault();
      return this.schedule.undoBar.undo();
    }
    if (e.key === 'Escape') { document.querySelector('.help-overlay')?.remove(); this.schedule.selection.close(); return; }
    // No single-key shortcut fires behind a modal dialog (booking, connect wizard, confirmations).
    const modal = this.schedule.booker.open || document.querySelector('[aria-modal="true"]') !== null;
    if (isTyping(e) || e.ctrlKey || e.metaKey || e.altKey || modal) return;
    const keys: Record<string, () => unknown> = {
      n: () => canBook(me) && this.schedule.book(),
      t: () => this.schedule.goto(this.schedule.today()),
      ArrowLeft: () => this.schedule.step(-1),
      ArrowRight: () => this.schedule.step(1),
      '[': () => calendar && this.schedule.turnDoctorPage(-1),
      ']': () => calendar && this.schedule.turnDoctorPage(1),
      d: () => this.schedule.setView('day'),
      w: () => this.schedule.setView('week'),
      '/': () => this.find(),
      v: () => canConnect(me) && this.go('accounts'),
      '?': () => showHelp(canConnect(me)),
    };
    if (e.key === 'r' && this.schedule.selection.id !== null) {
      e.preventDefault();
      this.schedule.selection.reschedule();
      return;
    }
    const status = STATUS_KEYS[e.key];
    if (status && this.schedule.selection.id !== null) {
      e.preventDefault();
      this.schedule.selection.press(status);
      return;
    }
    const action = keys[e.key];
    if (action) { e.preventDefault(); await action(); }
  }

  /** Find (`/`): a visit opens in the calendar, a patient in their record. */
  private find(): void {
    openFind({
      tz: () => this.session.clinic.tz,
      openVisit: (id) => this.openVisit(id),
      openPatient: (id) => this.go('patients', id),
    });
  }

  /** Shows a visit in the calendar as a link to it would: its day, its doctor's page, its panel. */
  private openVisit(id: number): Promise<void> {
    return this.schedule.openLink({ kind: 'appointment', id });
  }

  /**
   * The "Clinic" menu of the admins' screens: a button that opens the list below it (Escape, a
   * choice or a click elsewhere closes it). It is marked current while one of them is shown.
   */
  private adminMenu(items: HTMLElement[]): HTMLElement {
    const list = h('div', { class: 'menu-list', id: 'admin-menu', hidden: true }, ...items);
    const button = h('button', {
      type: 'button', id: 'admin-menu-button', class: 'menu-button', 'aria-haspopup': 'true', 'aria-expanded': 'false',
      'aria-controls': 'admin-menu',
    }, `${t('nav.clinic')} ▾`);
    const show = (open: boolean) => {
      list.hidden = !open;
      button.setAttribute('aria-expanded', String(open));
    };
    button.addEventListener('click', () => {
      show(list.hidden);
      if (!list.hidden) (items[0] as HTMLButtonElement).focus();
    });
    list.addEventListener('click', () => show(false));
    list.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') { e.stopPropagation(); show(false); button.focus(); }
    });
    document.addEventListener('click', (e) => { if (!wrap.contains(e.target as Node)) show(false); });
    const wrap = h('div', { class: 'menu' }, button, list);
    return wrap;
  }

  /** Shows `screen`; on the Patients screen, `patient`'s record opened. */
  private async go(screen: Screen, patient: number | null = null): Promise<void> {
    this.screen = screen;
    this.schedule.active = screen === 'calendar';
    this.root.querySelectorAll('nav button[data-screen]').forEach((b) =>
      b.setAttribute('aria-current', String((b as HTMLElement).dataset.screen === screen)));
    this.root.querySelector('#admin-menu-button')?.setAttribute('aria-current',
      String(this.root.querySelector(`#admin-menu button[data-screen="${screen}"]`) !== null));
    this.schedule.bar.hidden = screen !== 'calendar';
    const { me } = this.session;
    try {
      if (screen === 'calendar') await this.schedule.mount(this.content);
      else if (screen === 'patients') {
        await renderPatients(this.content, canBook(me), { tz: this.session.clinic.tz, openVisit: (id) => this.openVisit(id), open: patient });
      }
      else if (screen === 'staff') await renderStaff(this.content, this.session.clinic.tz);
      else if (screen === 'accounts') await renderAccounts(this.content, me, () => void this.status.checkConnections());
      else if (screen === 'hours') await renderHours(this.content, this.session.clinic.tz);
      else if (screen === 'audit') await renderAudit(this.content, this.session.clinic.tz);
      else if (screen === 'types') { await renderTypes(this.content); await this.schedule.loadTypes(); }
      else await renderSettings(this.content, (c) => { this.session.clinic = c; setLocale(c.locale); }, () => void this.go('accounts')
        .then(() => document.getElementById('ps-zoom-auth-base')?.focus()));
    } catch (e) {
      this.status.say(asAppError(e).message);
    }
  }

  /** The status line alert's action: the Video visits screen, with focus on the first Reconnect. */
  private async openAccounts(): Promise<void> {
    await this.go('accounts');
    this.content.querySelector<HTMLElement>('button[data-action="reconnect"]')?.focus();
  }

  private async lock(): Promise<void> {
    this.stop();
    await closeConnectWizard(); // stops waiting for a sign-in nobody is watching any more
    document.querySelectorAll('.overlay').forEach((o) => o.remove());
    await ipc.signOut().catch(() => undefined);
    await this.restart();
  }
}

/** The keyboard shortcuts, in a dialog (`?`). */
function showHelp(withAccounts: boolean): void {
  if (document.querySelector('.help-overlay')) return;
  const rows = ([
    ['N', 'key.new'], ['T', 'key.today'], ['← →', 'key.prevNext'], ['[ ]', 'key.doctorPage'], ['D / W', 'key.dayWeek'], ['/', 'key.search'],
    ['V', 'key.accounts'], ['I S C M', 'key.status'], ['R', 'key.reschedule'], ['Ctrl+Z', 'key.undo'], ['X', 'key.cancel'], ['Ctrl+P', 'key.print'], ['Ctrl+L', 'key.lock'], ['?', 'key.help'],
  ] as [string, Parameters<typeof t>[0]][]).filter(([, m]) => m !== 'key.accounts' || withAccounts);
  const close = h('button', { type: 'button', onclick: () => overlay.remove() }, t('help.close'));
  const about = h('p', { class: 'about' });
  const overlay = h('div', { class: 'overlay help-overlay' },
    h('div', { class: 'dialog', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'help-title' },
      h('h2', { id: 'help-title' }, t('help.title')),
      h('table', {}, h('tbody', {}, ...rows.map(([k, m]) => h('tr', {}, h('th', { scope: 'row' }, h('kbd', {}, k)), h('td', {}, t(m)))))),
      about,
      close));
  document.body.append(overlay);
  close.focus();
  // The About line: the version the clinic's IT asks for (the same as `frontdesk-cli --version`).
  void ipc.appStatus().then((s) => { about.textContent = t('help.about', { version: s.version }); }, () => undefined);
}
