// The calendar screen: the shown days (one day or a week) and their toolbar, the page of doctor
// columns (pager.ts), the selected appointment's panel (selection.ts), booking from a slot, the
// printed day sheet, and what links and the workers' changes show on it.
import { asAppError, ipc } from './ipc';
import type { DaySheet, DeepLink, Today, WorkingTime } from './ipc';
import { h } from './dom';
import { formatDate, formatWeek, t, tk, wallTime } from './messages';
import { Booker } from './booking';
import { UndoBar } from './undo';
import type { Slot } from './booking';
import { ScheduleCalendar } from './calendar';
import { statusLegend } from './legend';
import type { View } from './calendar';
import { DoctorPager } from './pager';
import { DOCTORS_PER_PAGE } from './paging';
import { SelectedAppointment } from './selection';
import { printDaySheet } from './daysheet';
import { reportPainted, step } from './painted';
import { canBook } from './session';
import type { ScheduleChanges } from './live';
import type { Session } from './session';

export interface ScheduleHooks {
  say: (message: string) => void;
  /** The session ended (the backend says nobody is signed in): lock the desk. */
  lock: () => Promise<void>;
  /** Brings the calendar screen forward (from another screen), which reads the shown days. */
  showCalendar: () => Promise<void>;
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

export class ScheduleScreen {
  /** The calendar's toolbar (shown with the calendar screen only). */
  readonly bar: HTMLElement;
  readonly selection: SelectedAppointment;
  readonly booker: Booker;
  /** "Booked — Undo" after each change made here. */
  readonly undoBar: UndoBar;
  /** Whether the calendar is the screen shown. */
  active = false;
  private view: View = 'day';
  private date: string;
  private sheet: DaySheet | null = null;
  /** When each doctor works over the shown days (shaded outside), when the backend said. */
  private working: WorkingTime | null = null;
  /** The days `working` is for; read again for other days, or once hours may have changed. */
  private hoursOf = '';
  private hoursStale = true;
  private calendarEl = h('div', { id: 'calendar', class: 'calendar', role: 'region' });
  private calendar: ScheduleCalendar;
  private dateLabel = h('h1', { id: 'date-label', class: 'date-label' });
  private pager = new DoctorPager((delta) => this.turnDoctorPage(delta), () => this.showDoctorPage());

  /** `signInDay`: the day view the sign-in read (see `Desk`), shown first instead of reading it. */
  constructor(private session: Session, private hooks: ScheduleHooks, private signInDay: Today | null = null) {
    const { clinic, me } = session;
    this.date = this.today();
    this.undoBar = new UndoBar({
      undone: (a) => { this.calendar.reveal(a.id); void this.refresh(); },
      say: hooks.say,
    });
    this.selection = new SelectedAppointment(session, {
      onChanged: () => void this.refresh(),
      say: hooks.say,
      nameOf: {
        staff: (id) => this.sheet?.doctors.find((d) => d.id === id)?.name,
        type: (id) => this.booker.types.find((ty) => ty.id === id)?.name,
      },
      opened: (id) => this.calendar.markOpen(id),
      statusChanged: (id, status) => this.undoBar.offer(status === 'cancelled' ? t('undo.cancelled') : t('undo.status', { status: tk(`status.${status}`) }), id),
      reschedule: (row) => this.booker.reschedule(this.sheet?.doctors ?? [],
        { id: row.id, patientName: row.patient_name, typeId: row.type_id },
        { date: row.local_start.slice(0, 10), time: row.local_start.slice(11, 16), doctorId: row.doctor_id }),
    });
    this.booker = new Booker(() => this.session.clinic.tz, (a, rescheduled) => {
      this.undoBar.offer(rescheduled ? t('undo.rescheduled') : t('undo.booked'), a.id);
      this.pager.want(a.doctor_id);
      this.calendar.reveal(a.id);
      void this.goto(a.local_start.slice(0, 10) === this.date ? this.date : wallTime(a.start, this.session.clinic.tz).slice(0, 10));
    });
    const viewButton = (v: View, label: string) =>
      h('button', { type: 'button', 'data-view': v, 'aria-pressed': String(this.view === v), onclick: () => void this.setView(v) }, label);
    this.bar = h('div', { class: 'calbar', id: 'calbar' },
      h('button', { type: 'button', id: 'today', onclick: () => void this.goto(this.today()) }, t('cal.today')),
      h('button', { type: 'button', 'aria-label': t('cal.prev'), onclick: () => void this.step(-1) }, '‹'),
      h('button', { type: 'button', 'aria-label': t('cal.next'), onclick: () => void this.step(1) }, '›'),
      this.dateLabel,
      this.pager.element,
      h('div', { class: 'segmented', role: 'group' }, viewButton('day', t('cal.day')), viewButton('week', t('cal.week'))),
      h('button', { type: 'button', id: 'print-day', 'aria-keyshortcuts': 'Control+P', onclick: () => void this.printDay() }, `${t('cal.print')} (Ctrl+P)`),
      canBook(me) ? h('button', { type: 'button', class: 'primary', id: 'new-booking', onclick: () => this.book() }, `${t('cal.book')} (N)`) : null);
    this.calendar = new ScheduleCalendar(this.calendarEl, clinic.tz, clinic.locale, {
      onSelectSlot: (slot) => { this.booker.choose(slot); if (canBook(this.session.me)) this.book(); },
      onOpenAppointment: (row) => void this.selection.select(row),
      onError: (m) => hooks.say(m),
      onMoved: (id) => { this.undoBar.offer(t('undo.moved'), id); void this.refresh(); },
      // Dropped on another doctor: the reschedule, on that doctor at that time, to confirm.
      onMoveToDoctor: (row, slot) => this.booker.reschedule(this.sheet?.doctors ?? [],
        { id: row.id, patientName: row.patient_name, typeId: row.type_id }, slot),
    });
  }

  /** Today in the clinic's zone. */
  today(): string {
    return wallTime(new Date().toISOString(), this.session.clinic.tz).slice(0, 10);
  }

  /** Puts the calendar and the panel in `content` and reads the shown days. */
  async mount(content: HTMLElement): Promise<void> {
    content.replaceChildren(h('div', { class: 'calendar-column' }, this.calendarEl, statusLegend(), this.undoBar.element), this.selection.panel);
    this.hoursStale = true; // the Hours screen may have changed them meanwhile
    await this.refresh();
  }

  /** Reads the appointment types again (the booking dialog offers them). */
  async loadTypes(): Promise<void> {
    this.booker.types = await ipc.listTypes();
  }

  /** Reads the shown days again; `reselect` also redraws the open panel. */
  async refresh(reselect = true): Promise<void> {
    const first = this.view === 'week' ? weekStart(this.date) : this.date;
    try {
      const days = this.view === 'week' ? 7 : 1;
      // Working hours shade the calendar; without them it still shows the day. A visit booked,
      // moved or changed here leaves the hours as they were: they are not read again for it.
      const key = `${first}/${days}`;
      const given = this.signInDay;
      this.signInDay = null;
      if (given && given.sheet.date === first && given.sheet.days === days) {
        [this.sheet, this.working] = [given.sheet, given.hours];
      } else {
        const hours = this.hoursStale || this.hoursOf !== key || !this.working
          ? ipc.workingTime(first, days).catch(() => null) : Promise.resolve(this.working);
        [this.sheet, this.working] = await Promise.all([ipc.schedule(first, days), hours]);
      }
      this.hoursOf = key;
      this.hoursStale = false;
    } catch (e) {
      const err = asAppError(e);
      if (err.kind === 'unauthenticated') return this.hooks.lock();
      return this.hooks.say(err.message);
    }
    step('day-read');
    this.dateLabel.textContent = this.view === 'week' ? formatWeek(first, addDays(first, 6)) : formatDate(this.date);
    this.showDoctorPage();
    step('day-drawn');
    reportPainted('day');
    if (reselect) await this.selection.follow(this.sheet);
  }

  /** Gives the calendar the page of doctor columns to show (see `DoctorPager.show`). */
  private showDoctorPage(): void {
    if (!this.sheet) return;
    this.calendar.show(this.pager.show(this.sheet), this.view, this.working);
  }

  /** The next (`1`) or previous (`-1`) page of doctors, round from the last to the first. */
  turnDoctorPage(delta: number): void {
    if (!this.sheet) return;
    this.pager.turn(delta, this.sheet.doctors.length);
    this.showDoctorPage();
  }

  /**
   * Prints the shown day for every doctor (read again, so that it is current and not paged). The
   * backend records the print (date and count, no names) before the dialog opens: a sheet it could
   * not record is not printed.
   */
  async printDay(): Promise<void> {
    try {
      const sheet = await ipc.schedule(this.date, 1);
      await ipc.daySheetPrinted(this.date, null);
      printDaySheet(sheet, this.date);
    } catch (e) {
      this.hooks.say(asAppError(e).message);
    }
  }

  async goto(date: string): Promise<void> {
    this.date = date;
    if (!this.active) return this.hooks.showCalendar();
    await this.refresh();
  }

  step(direction: number): Promise<void> {
    return this.goto(addDays(this.date, direction * (this.view === 'week' ? 7 : 1)));
  }

  async setView(view: View): Promise<void> {
    this.view = view;
    // A week is one doctor's: seven columns that stay readable (a page of doctors' weeks is not).
    this.pager.resize(view === 'week' ? 1 : DOCTORS_PER_PAGE);
    this.bar.querySelectorAll('[data-view]').forEach((b) => b.setAttribute('aria-pressed', String((b as HTMLElement).dataset.view === view)));
    await this.refresh();
  }

  book(): void {
    this.booker.book(this.sheet?.doctors ?? [], () => this.defaultSlot());
  }

  private defaultSlot(): Slot {
    // The first doctor in view, not the clinic's first, when the doctors are paged.
    const doctors = this.sheet ? this.pager.current(this.sheet).doctors : [];
    const now = wallTime(new Date().toISOString(), this.session.clinic.tz);
    let time = '09:00';
    let date = this.date;
    if (now.slice(0, 10) === this.date) {
      const minutes = Number(now.slice(11, 13)) * 60 + Number(now.slice(14, 16));
      const next = Math.ceil(minutes / 15) * 15;
      // Today's next quarter hour; after the last one, tomorrow morning (never a time gone by).
      if (next < 24 * 60) time = `${String(Math.floor(next / 60)).padStart(2, '0')}:${String(next % 60).padStart(2, '0')}`;
      else date = addDays(this.date, 1);
    }
    return { date, time, doctorId: doctors[0]?.id ?? null };
  }

  /**
   * A frontdesk:// link, or a visit chosen in Find: a day, or an appointment (its day, its
   * doctor's page, scrolled to and highlighted, its panel).
   */
  async openLink(link: DeepLink): Promise<void> {
    if (link.kind === 'day') {
      this.date = link.date;
      await this.hooks.showCalendar();
    } else if (link.kind === 'appointment') {
      try {
        const detail = await ipc.appointment(link.id);
        this.date = wallTime(detail.start, this.session.clinic.tz).slice(0, 10);
        this.pager.want(detail.doctor_id);
        this.calendar.reveal(link.id); // scrolled to and highlighted, as a visit just booked
        await this.hooks.showCalendar();
        const row = this.sheet?.appointments.find((a) => a.id === link.id);
        if (row) await this.selection.select(row);
      } catch (e) {
        this.hooks.say(asAppError(e).message);
      }
    }
  }

  /**
   * Shows meetings' new states (only when one of them is shown): the calendar's events, and the
   * open panel's Meeting section.
   */
  meetingsChanged(ids: Set<number>): void {
    if (!this.active || !this.sheet?.appointments.some((a) => ids.has(a.id))) return;
    void this.refresh(false);
    const open = this.selection.id;
    if (open !== null && ids.has(open)) this.selection.meetingChanged();
  }

  /**
   * Shows what another desk or the clinic service changed: reads the shown days again when the
   * change touches them (a shown appointment, or times on a shown day), and the open panel when
   * it is about its appointment; everything when told to (announcements may have been missed).
   */
  scheduleChanged(changes: ScheduleChanges): void {
    if (!this.active) return;
    const first = this.view === 'week' ? weekStart(this.date) : this.date;
    const last = this.view === 'week' ? addDays(first, 6) : first;
    const tz = this.session.clinic.tz;
    const open = this.selection.id;
    const panel = open !== null && (changes.everything || changes.ids.has(open));
    const shown = changes.everything
      || (this.sheet?.appointments.some((a) => changes.ids.has(a.id)) ?? false)
      || changes.spans.some(([from, to]) => wallTime(from, tz).slice(0, 10) <= last && wallTime(to, tz).slice(0, 10) >= first);
    if (shown || panel) {
      this.hoursStale = true; // another desk may have changed hours too
      void this.refresh(panel);
    }
    if (panel) {
      this.selection.meetingChanged();
      this.selection.mailChanged();
    }
  }

  /** Reads the open panel's E-mail section again when its appointment's mail changed. */
  mailChanged(id: number): void {
    if (this.active && this.selection.id === id) this.selection.mailChanged();
  }

  destroy(): void {
    this.calendar.destroy();
  }
}
