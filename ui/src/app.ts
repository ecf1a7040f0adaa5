// The app: first start, sign-in, and the signed-in shell (calendar, directory screens, panel,
// shortcuts, inactivity lock, status line with the network and the video-visit accounts alert).
import { asAppError, events, ipc, subscribe } from './ipc';
import type { AppStatus, Appointment, AppointmentType, DeepLink, Clinic, DaySheet, DaySheetRow, Staff } from './ipc';
import { h, isTyping } from './dom';
import { formatDate, setLocale, t, tk, wallTime } from './messages';
import { openBookingDialog } from './booking';
import type { Slot } from './booking';
import { ScheduleCalendar } from './calendar';
import type { View } from './calendar';
import { pageInfo, pageOfDoctor, pageOfSheet, turnPage } from './paging';
import { renderPanel, STATUS_KEYS, updatePanelMail, updatePanelMeeting } from './panel';
import type { PanelContext } from './panel';
import { watchNetwork } from './network';
import { renderSignIn, renderSetup } from './signin';
import { renderPatients, renderSettings, renderStaff, renderTypes } from './directory';
import { renderAudit } from './audit';
import { printDaySheet } from './daysheet';
import { closeConnectWizard, reconnectAlert, refusedConnections, renderAccounts } from './accounts';

type Screen = 'calendar' | 'patients' | 'accounts' | 'staff' | 'types' | 'settings' | 'audit';

/** Meeting changes that come together (a pass over several jobs) make one refresh. */
const MEETING_REFRESH_MS = 250;

/**
 * How often the desk looks again for video-visit accounts the provider refused. Cheap: it reads
 * the local database (the backend marks a connection refused when a call to the provider fails).
 */
const CONNECTION_CHECK_MS = 3 * 60_000;

const painted = new Set<string>();

/** Tells the backend (once per screen) that a screen is on glass: start-up timing in the log. */
function reportPainted(screen: 'signin' | 'day'): void {
  if (painted.has(screen)) return;
  painted.add(screen);
  requestAnimationFrame(() => requestAnimationFrame(() => void ipc.uiPainted(screen).catch(() => undefined)));
}

function addDays(date: string, n: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

function weekStart(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  const weekday = (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7; // Monday = 0
  return addDays(date, -weekday);
}

export async function startApp(root: HTMLElement): Promise<void> {
  root.replaceChildren(h('p', { class: 'loading' }, t('app.loading')));
  let status: AppStatus;
  try {
    status = await ipc.appStatus();
  } catch (e) {
    const err = asAppError(e);
    root.replaceChildren(h('section', { class: `card narrow error error-${err.kind}`, role: 'alert' },
      h('h1', {}, tk(`error.${err.kind}`)), h('p', {}, err.message)));
    return;
  }
  if (status.setup_needed) return renderSetup(root, () => void startApp(root));
  const clinic = status.clinic;
  if (!status.signed_in || !clinic) {
    // The sign-in screen already knows the clinic: the desk opens without asking again.
    renderSignIn(root, status, (me) => void (clinic ? new Desk(root, clinic, me).open() : startApp(root)));
    return reportPainted('signin');
  }
  await new Desk(root, clinic, status.signed_in).open();
}

class Desk {
  private view: View = 'day';
  private date: string;
  private screen: Screen = 'calendar';
  private sheet: DaySheet | null = null;
  private types: AppointmentType[] = [];
  private lastSlot: Slot | null = null;
  private selected: DaySheetRow | null = null;
  private calendar: ScheduleCalendar | null = null;
  private lastActivity = Date.now();
  private timers: ReturnType<typeof setInterval>[] = [];
  private dialogOpen = false;

  private content = h('main', { class: 'content', id: 'content' });
  private calendarEl = h('div', { id: 'calendar', class: 'calendar', role: 'region' });
  private panel = h('aside', { id: 'panel', class: 'panel', hidden: true, 'aria-live': 'polite' });
  private dateLabel = h('h1', { id: 'date-label', class: 'date-label' });
  /** The page of doctor columns shown (paging.ts), kept from day to day and view to view. */
  private doctorPage = 0;
  /** The doctor whose column the next read of the schedule must show (a booking, a link). */
  private wantDoctor: number | null = null;
  private pageLabel = h('span', { id: 'doctor-page', class: 'pager-label', 'aria-live': 'polite' });
  private pager = h('div', { class: 'pager', id: 'doctor-pager', role: 'group', 'aria-label': t('cal.doctors'), hidden: true },
    h('button', { type: 'button', id: 'doctors-prev', 'aria-label': t('cal.prevDoctors'), 'aria-keyshortcuts': '[', title: `${t('cal.prevDoctors')} ([)`, onclick: () => this.turnDoctorPage(-1) }, '‹'),
    this.pageLabel,
    h('button', { type: 'button', id: 'doctors-next', 'aria-label': t('cal.nextDoctors'), 'aria-keyshortcuts': ']', title: `${t('cal.nextDoctors')} (])`, onclick: () => this.turnDoctorPage(1) }, '›'));
  private network = h('span', { id: 'network-status' });
  // The live region stays in the page, so that a screen reader hears the alert when it appears.
  private videoAlertText = h('span');
  private videoAlert = h('button', { type: 'button', id: 'video-alert', class: 'video-alert', hidden: true, onclick: () => void this.openAccounts() },
    h('span', { class: 'dot', 'aria-hidden': 'true' }), this.videoAlertText);
  private videoAlertStatus = h('span', { id: 'video-alert-status', class: 'video-alert-status', role: 'status' }, this.videoAlert);
  private connectionChecks = 0;
  private toast = h('div', { class: 'toast', role: 'status', 'aria-live': 'polite', hidden: true });

  constructor(private root: HTMLElement, private clinic: Clinic, private me: Staff) {
    setLocale(clinic.locale);
    this.date = this.today();
  }

  private today(): string {
    return wallTime(new Date().toISOString(), this.clinic.tz).slice(0, 10);
  }

  private get canBook(): boolean {
    return this.me.role !== 'doctor';
  }

  /** Doctors connect their own video-visit accounts; admins anyone's. */
  private get canConnect(): boolean {
    return this.me.role !== 'receptionist';
  }

  async open(): Promise<void> {
    const admin = this.me.role === 'admin';
    const nav = (screen: Screen, label: string) =>
      h('button', { type: 'button', 'data-screen': screen, onclick: () => void this.go(screen) }, label);
    const viewButton = (v: View, label: string) =>
      h('button', { type: 'button', 'data-view': v, 'aria-pressed': String(this.view === v), onclick: () => void this.setView(v) }, label);
    this.root.replaceChildren(h('div', { class: 'shell' },
      h('header', { class: 'topbar' },
        h('strong', { class: 'clinic' }, this.clinic.name),
        h('nav', { 'aria-label': 'Main' },
          nav('calendar', t('nav.calendar')), nav('patients', t('nav.patients')),
          this.canConnect ? nav('accounts', t('nav.accounts')) : null,
          admin ? nav('staff', t('nav.staff')) : null, admin ? nav('types', t('nav.types')) : null,
          admin ? nav('settings', t('nav.settings')) : null, admin ? nav('audit', t('nav.audit')) : null),
        h('button', { type: 'button', id: 'help-button', onclick: () => this.help() }, `${t('nav.help')} (?)`),
        h('button', { type: 'button', id: 'lock-button', onclick: () => void this.lock() }, `${t('nav.lock')} (Ctrl+L)`)),
      h('div', { class: 'calbar', id: 'calbar' },
        h('button', { type: 'button', id: 'today', onclick: () => void this.goto(this.today()) }, t('cal.today')),
        h('button', { type: 'button', 'aria-label': t('cal.prev'), onclick: () => void this.step(-1) }, '‹'),
        h('button', { type: 'button', 'aria-label': t('cal.next'), onclick: () => void this.step(1) }, '›'),
        this.dateLabel,
        this.pager,
        h('div', { class: 'segmented', role: 'group' }, viewButton('day', t('cal.day')), viewButton('week', t('cal.week'))),
        h('button', { type: 'button', id: 'print-day', 'aria-keyshortcuts': 'Control+P', onclick: () => void this.printDay() }, `${t('cal.print')} (Ctrl+P)`),
        this.canBook ? h('button', { type: 'button', class: 'primary', id: 'new-booking', onclick: () => this.book() }, `${t('cal.book')} (N)`) : null),
      this.content,
      h('footer', { class: 'statusline' },
        h('span', {}, this.network, ' · ', t('status.signedIn', { name: this.me.name, role: tk(`role.${this.me.role}`) })),
        this.canConnect ? this.videoAlertStatus : null),
      this.toast));
    this.calendar = new ScheduleCalendar(this.calendarEl, this.clinic.tz, this.clinic.locale, {
      onSelectSlot: (slot) => { this.lastSlot = slot; if (this.canBook) this.book(); },
      onOpenAppointment: (row) => void this.select(row),
      onError: (m) => this.say(m),
      onMoved: () => void this.refresh(),
    });
    this.listen();
    void this.checkConnections();
    // The types (for the booking dialog) and the day are read together: start-up waits for one
    // round trip, not two. The types are asked first, so they are there when the day is.
    const types = ipc.listTypes().then((list) => { this.types = list; }, () => undefined);
    await this.go('calendar');
    await types;
  }

  private listen(): void {
    const activity = () => { this.lastActivity = Date.now(); };
    const onKey = (e: KeyboardEvent) => { activity(); void this.key(e); };
    document.addEventListener('keydown', onKey);
    document.addEventListener('pointerdown', activity);
    const stopNetwork = watchNetwork(this.network);
    const unlisten = [
      // frontdesk:// links (from a second launch or the system) open a day or an appointment.
      subscribe(events.deepLink, (link) => void this.openLink(link)),
      // The outbox made, moved or removed a meeting, or learned why it waits: show it.
      subscribe(events.meetingChanged, (e) => this.meetingChanged(e.appointment_id)),
      // The mail worker sent, deferred or failed a patient e-mail: the open panel shows it.
      subscribe(events.mailChanged, (e) => this.mailChanged(e.appointment_id)),
    ];
    this.timers.push(setInterval(() => {
      if (Date.now() - this.lastActivity > this.clinic.lock_minutes * 60_000) void this.lock();
    }, 15_000));
    if (this.canConnect) this.timers.push(setInterval(() => void this.checkConnections(), CONNECTION_CHECK_MS));
    this.teardown = () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('pointerdown', activity);
      stopNetwork();
      this.timers.forEach(clearInterval);
      unlisten.forEach((stop) => stop());
      if (this.meetingTimer) clearTimeout(this.meetingTimer);
      this.calendar?.destroy();
    };
  }

  private teardown: () => void = () => undefined;

  private meetingTimer: ReturnType<typeof setTimeout> | null = null;
  private changedMeetings = new Set<number>();

  /**
   * Shows a meeting's new state: the calendar's events, and the open panel's Meeting section
   * (only that section, so that a cancel reason being typed in the panel stays).
   */
  private meetingChanged(id: number): void {
    this.changedMeetings.add(id);
    if (this.meetingTimer) return;
    this.meetingTimer = setTimeout(() => {
      this.meetingTimer = null;
      const changed = this.changedMeetings;
      this.changedMeetings = new Set();
      if (this.screen !== 'calendar' || !this.sheet?.appointments.some((a) => changed.has(a.id))) return;
      void this.refresh(false);
      const row = this.selected;
      if (row && changed.has(row.id)) {
        void ipc.appointment(row.id)
          .then((detail) => { if (this.selected?.id === row.id) updatePanelMeeting(this.panel, detail, this.panelContext(row)); })
          .catch(() => undefined);
      }
    }, MEETING_REFRESH_MS);
  }

  /** Reads the open panel's E-mail section again when its appointment's mail changed. */
  private mailChanged(id: number): void {
    if (this.screen === 'calendar' && this.selected?.id === id) void updatePanelMail(this.panel).catch(() => undefined);
  }

  private async openLink(link: DeepLink): Promise<void> {
    if (link.kind === 'day') {
      this.screen = 'calendar';
      this.date = link.date;
      await this.go('calendar');
    } else if (link.kind === 'appointment') {
      try {
        const detail = await ipc.appointment(link.id);
        this.date = wallTime(detail.start, this.clinic.tz).slice(0, 10);
        this.wantDoctor = detail.doctor_id;
        await this.go('calendar');
        const row = this.sheet?.appointments.find((a) => a.id === link.id);
        if (row) await this.select(row);
      } catch (e) {
        this.say(asAppError(e).message);
      }
    }
  }

  private async key(e: KeyboardEvent): Promise<void> {
    if (e.ctrlKey && e.key.toLowerCase() === 'l') { e.preventDefault(); return this.lock(); }
    if (e.ctrlKey && e.key.toLowerCase() === 'p' && this.screen === 'calendar') { e.preventDefault(); return this.printDay(); }
    if (e.key === 'Escape') { document.querySelector('.help-overlay')?.remove(); this.closePanel(); return; }
    // No single-key shortcut fires behind a modal dialog (booking, connect wizard, confirmations).
    const modal = this.dialogOpen || document.querySelector('[aria-modal="true"]') !== null;
    if (isTyping(e) || e.ctrlKey || e.metaKey || e.altKey || modal) return;
    const keys: Record<string, () => unknown> = {
      n: () => this.canBook && this.book(),
      t: () => this.goto(this.today()),
      ArrowLeft: () => this.step(-1),
      ArrowRight: () => this.step(1),
      '[': () => this.screen === 'calendar' && this.turnDoctorPage(-1),
      ']': () => this.screen === 'calendar' && this.turnDoctorPage(1),
      d: () => this.setView('day'),
      w: () => this.setView('week'),
      '/': () => this.go('patients'),
      v: () => this.canConnect && this.go('accounts'),
      '?': () => this.help(),
    };
    const status = STATUS_KEYS[e.key];
    if (status && this.selected) {
      e.preventDefault();
      const button = this.panel.querySelector(`button[data-status="${status}"]`) as HTMLButtonElement | null;
      button?.click();
      return;
    }
    const action = keys[e.key];
    if (action) { e.preventDefault(); await action(); }
  }

  private async go(screen: Screen): Promise<void> {
    this.screen = screen;
    this.root.querySelectorAll('nav button').forEach((b) =>
      b.setAttribute('aria-current', String((b as HTMLElement).dataset.screen === screen)));
    (this.root.querySelector('#calbar') as HTMLElement).hidden = screen !== 'calendar';
    try {
      if (screen === 'calendar') {
        this.content.replaceChildren(this.calendarEl, this.panel);
        await this.refresh();
      } else if (screen === 'patients') await renderPatients(this.content, this.canBook);
      else if (screen === 'staff') await renderStaff(this.content);
      else if (screen === 'accounts') await renderAccounts(this.content, this.me, () => void this.checkConnections());
      else if (screen === 'audit') await renderAudit(this.content, this.clinic.tz);
      else if (screen === 'types') { await renderTypes(this.content); this.types = await ipc.listTypes(); }
      else await renderSettings(this.content, (c) => { this.clinic = c; setLocale(c.locale); }, () => void this.go('accounts')
        .then(() => document.getElementById('ps-zoom-auth-base')?.focus()));
    } catch (e) {
      this.say(asAppError(e).message);
    }
  }

  /** Reads the shown days again; `reselect` also redraws the open panel. */
  private async refresh(reselect = true): Promise<void> {
    const first = this.view === 'week' ? weekStart(this.date) : this.date;
    try {
      this.sheet = await ipc.schedule(first, this.view === 'week' ? 7 : 1);
    } catch (e) {
      const err = asAppError(e);
      if (err.kind === 'unauthenticated') return this.lock();
      return this.say(err.message);
    }
    this.dateLabel.textContent = this.view === 'week'
      ? `${formatDate(first)} – ${formatDate(addDays(first, 6))}` : formatDate(this.date);
    this.showDoctorPage();
    reportPainted('day');
    if (this.selected && reselect) {
      const still = this.sheet.appointments.find((a) => a.id === this.selected?.id);
      if (still) await this.select(still); else this.closePanel();
    }
  }

  /**
   * Gives the calendar the current page of doctor columns, or the page of the doctor a booking or
   * a link is for, and says in the pager which doctors those are (among how many).
   */
  private showDoctorPage(): void {
    if (!this.sheet) return;
    const total = this.sheet.doctors.length;
    const wanted = this.wantDoctor === null ? null : pageOfDoctor(this.sheet.doctors, this.wantDoctor);
    this.wantDoctor = null;
    const info = pageInfo(wanted ?? this.doctorPage, total);
    this.doctorPage = info.page;
    this.pager.hidden = info.pages === 1;
    const label = t('cal.doctorsPage', { first: String(info.first), last: String(info.last), total: String(total) });
    // Unchanged text is left alone: rewriting it would make a screen reader repeat it.
    if (this.pageLabel.textContent !== label) this.pageLabel.textContent = label;
    this.calendar?.show(pageOfSheet(this.sheet, this.doctorPage), this.view);
  }

  /** The next (`1`) or previous (`-1`) page of doctors, round from the last to the first. */
  private turnDoctorPage(delta: number): void {
    if (!this.sheet) return;
    this.doctorPage = turnPage(this.doctorPage, delta, this.sheet.doctors.length);
    this.showDoctorPage();
  }

  /** Prints the shown day for every doctor (read again, so that it is current and not paged). */
  private async printDay(): Promise<void> {
    try {
      printDaySheet(await ipc.schedule(this.date, 1), this.date);
    } catch (e) {
      this.say(asAppError(e).message);
    }
  }

  private async goto(date: string): Promise<void> {
    this.date = date;
    if (this.screen !== 'calendar') return this.go('calendar');
    await this.refresh();
  }

  private step(direction: number): Promise<void> {
    return this.goto(addDays(this.date, direction * (this.view === 'week' ? 7 : 1)));
  }

  private async setView(view: View): Promise<void> {
    this.view = view;
    this.root.querySelectorAll('[data-view]').forEach((b) => b.setAttribute('aria-pressed', String((b as HTMLElement).dataset.view === view)));
    await this.refresh();
  }

  private defaultSlot(): Slot {
    // The first doctor in view, not the clinic's first, when the doctors are paged.
    const doctors = this.sheet ? pageOfSheet(this.sheet, this.doctorPage).doctors : [];
    const now = wallTime(new Date().toISOString(), this.clinic.tz);
    let time = '09:00';
    if (now.slice(0, 10) === this.date) {
      const minutes = Number(now.slice(11, 13)) * 60 + Number(now.slice(14, 16));
      const next = Math.min(Math.ceil(minutes / 15) * 15, 23 * 60 + 45);
      time = `${String(Math.floor(next / 60)).padStart(2, '0')}:${String(next % 60).padStart(2, '0')}`;
    }
    return { date: this.date, time, doctorId: doctors[0]?.id ?? null };
  }

  private book(): void {
    if (this.dialogOpen) return;
    this.dialogOpen = true;
    openBookingDialog({
      clinicTz: this.clinic.tz,
      doctors: this.sheet?.doctors ?? [],
      types: this.types,
      slot: this.lastSlot ?? this.defaultSlot(),
      onBooked: (a: Appointment) => {
        this.dialogOpen = false;
        this.lastSlot = null;
        this.wantDoctor = a.doctor_id;
        void this.goto(a.local_start.slice(0, 10) === this.date ? this.date : wallTime(a.start, this.clinic.tz).slice(0, 10));
      },
      onClose: () => { this.dialogOpen = false; },
    });
  }

  private async select(row: DaySheetRow): Promise<void> {
    this.selected = row;
    try {
      const detail = await ipc.appointment(row.id);
      renderPanel(this.panel, detail, this.panelContext(row));
    } catch (e) {
      this.say(asAppError(e).message);
    }
  }

  private panelContext(row: DaySheetRow): PanelContext {
    return {
      clinicTz: this.clinic.tz,
      me: this.me,
      names: { patient: row.patient_name, doctor: row.doctor_name, type: row.type_name },
      onChanged: () => void this.refresh(),
      onClose: () => this.closePanel(),
    };
  }

  private closePanel(): void {
    this.selected = null;
    this.panel.hidden = true;
  }

  private help(): void {
    if (document.querySelector('.help-overlay')) return;
    const rows = ([
      ['N', 'key.new'], ['T', 'key.today'], ['← →', 'key.prevNext'], ['[ ]', 'key.doctorPage'], ['D / W', 'key.dayWeek'], ['/', 'key.search'],
      ['V', 'key.accounts'], ['I S C M', 'key.status'], ['X', 'key.cancel'], ['Ctrl+P', 'key.print'], ['Ctrl+L', 'key.lock'], ['?', 'key.help'],
    ] as [string, Parameters<typeof t>[0]][]).filter(([, m]) => m !== 'key.accounts' || this.canConnect);
    const close = h('button', { type: 'button', onclick: () => overlay.remove() }, t('help.close'));
    const overlay = h('div', { class: 'overlay help-overlay' },
      h('div', { class: 'dialog', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'help-title' },
        h('h2', { id: 'help-title' }, t('help.title')),
        h('table', {}, h('tbody', {}, ...rows.map(([k, m]) => h('tr', {}, h('th', { scope: 'row' }, h('kbd', {}, k)), h('td', {}, t(m)))))),
        close));
    document.body.append(overlay);
    close.focus();
  }

  /**
   * Updates the status-line alert for video-visit accounts the provider refused: an admin hears
   * of every doctor's, a doctor of their own, a receptionist of none (nothing they can do).
   */
  private async checkConnections(): Promise<void> {
    if (!this.canConnect) return;
    const mine = ++this.connectionChecks;
    let message: string | null;
    try {
      const admin = this.me.role === 'admin';
      const [connections, staff] = await Promise.all([ipc.connections(), admin ? ipc.listStaff() : null]);
      const doctors = staff?.filter((s) => s.role === 'doctor' && s.active);
      message = reconnectAlert(refusedConnections(connections, this.me, doctors), this.me);
    } catch {
      return; // keep what is shown; the next check tries again
    }
    if (mine !== this.connectionChecks) return; // a later check has already answered
    // Unchanged text is left alone: rewriting it would make a screen reader repeat it.
    if (message === null) this.videoAlert.hidden = true;
    else if (message !== this.videoAlertText.textContent || this.videoAlert.hidden) {
      this.videoAlertText.textContent = message;
      this.videoAlert.hidden = false;
    }
  }

  /** The alert's action: the Video visits screen, with focus on the first Reconnect. */
  private async openAccounts(): Promise<void> {
    await this.go('accounts');
    this.content.querySelector<HTMLElement>('button[data-action="reconnect"]')?.focus();
  }

  private say(message: string): void {
    this.toast.textContent = message;
    this.toast.hidden = false;
    setTimeout(() => { this.toast.hidden = true; }, 6000);
  }

  private async lock(): Promise<void> {
    this.teardown();
    await closeConnectWizard(); // stops waiting for a sign-in nobody is watching any more
    document.querySelectorAll('.overlay').forEach((o) => o.remove());
    await ipc.signOut().catch(() => undefined);
    await startApp(this.root);
  }
}
