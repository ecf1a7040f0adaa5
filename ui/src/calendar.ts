// The calendar: day and week views with one column per doctor (EventCalendar's resource time
// grid), coloured by status and mode, with a current-time line. A telehealth visit's event also
// says where its meeting stands. Selecting an empty slot offers a booking; dragging an
// appointment moves it (the backend's conflict rule applies and is explained).
import { createCalendar, destroyCalendar, Interaction, ResourceTimeGrid } from '@event-calendar/core';
import type { Calendar } from '@event-calendar/core';
import '@event-calendar/core/index.css';
import { asAppError, ipc } from './ipc';
import type { DaySheet, DaySheetRow, WorkingTime } from './ipc';
import { t, tk, wallFromDate, wallTime, zoneOffset } from './messages';
import type { Slot } from './booking';
import { h } from './dom';
import { meetingBadge, meetingMark } from './meeting';
import { statusMark } from './legend';

export type View = 'day' | 'week';

/** How long a visit just booked or moved stays highlighted. */
export const HIGHLIGHT_MS = 4000;

export interface CalendarHandlers {
  onSelectSlot: (slot: Slot) => void;
  onOpenAppointment: (row: DaySheetRow) => void;
  onError: (message: string) => void;
  /** A visit was moved by a drop. */
  onMoved: (id: number) => void;
}

export class ScheduleCalendar {
  private ec: Calendar;
  private rows = new Map<string, DaySheetRow>();
  private tz: string;
  /** The view and first day shown, so that showing them again keeps the scroll where it is. */
  private place = '';
  /** A visit to bring into view when it is next shown (just booked or moved). */
  private revealing: number | null = null;
  /** The visit shown highlighted, for a few seconds after it was revealed. */
  private highlighted: number | null = null;
  /** The clinic's offset from UTC now, the widget's clock (its now line and "today"). */
  private zone: string;
  /** What was shown last, shown again when the clinic's offset changes (DST) while it is open. */
  private last: [DaySheet, View, WorkingTime | null] | null = null;

  constructor(private root: HTMLElement, tz: string, locale: string, private handlers: CalendarHandlers) {
    this.tz = tz;
    this.zone = zoneOffset(tz);
    this.ec = createCalendar(root, [ResourceTimeGrid, Interaction], {
      locale,
      // Events are the clinic's wall times; the widget's own clock is set to the clinic's offset,
      // not the computer's zone, so the now line and today are the clinic's.
      timeZone: this.zone,
      view: 'resourceTimeGridDay',
      headerToolbar: { start: '', center: '', end: '' },
      allDaySlot: false,
      nowIndicator: true,
      firstDay: 1, // weeks start on Monday, as the week view asks the backend for Monday to Sunday
      dayHeaderFormat: { weekday: 'short', month: 'short', day: 'numeric' }, // "Mon, Nov 30", as dates read elsewhere
      selectable: true,
      editable: true,
      eventDurationEditable: false,
      slotDuration: '00:15',
      // The whole day is there (late and early visits are real); it opens scrolled to the morning.
      slotMinTime: '00:00',
      slotMaxTime: '24:00',
      scrollTime: '07:30',
      height: '100%',
      resources: [],
      events: [],
      select: (info) => {
        const wall = wallFromDate(info.start);
        this.handlers.onSelectSlot({ date: wall.slice(0, 10), time: wall.slice(11, 16), doctorId: Number(info.resource?.id ?? 0) || null });
      },
      eventClick: (info) => {
        const row = this.rows.get(String(info.event.id));
        if (row) this.handlers.onOpenAppointment(row);
      },
      eventDrop: (info) => void this.move(info),
      eventContent: (info) => this.content(info),
      viewDidMount: () => this.accessible(),
    });
    // The clinic's clocks change (DST) while the desk is open: the widget's clock follows.
    window.setInterval(() => {
      if (zoneOffset(this.tz) !== this.zone && this.last) this.show(...this.last);
    }, 60_000);
    // Re-apply after the widget renders, once per frame however many nodes it adds.
    let pending = false;
    new MutationObserver(() => {
      if (pending) return;
      pending = true;
      requestAnimationFrame(() => { pending = false; this.accessible(); });
    }).observe(root, { childList: true, subtree: true });
  }

  /**
   * The widget marks its root as a table, but puts a toolbar, a scrolling section and event
   * buttons where a table allows only rows, and its scrolling area cannot take focus. Present it
   * instead as one named, focusable region whose appointments are labelled buttons; the table
   * roles it adds on each render are neutralised as they appear.
   */
  private accessible(): void {
    const root = this.root.querySelector('.ec') ?? this.root;
    root.setAttribute('role', 'none');
    root.querySelector(':scope > nav')?.setAttribute('aria-hidden', 'true');
    const main = root.querySelector(':scope > section');
    if (main) {
      main.setAttribute('role', 'region');
      main.setAttribute('tabindex', '0');
      main.setAttribute('aria-label', t('nav.calendar'));
    }
    root.querySelectorAll('[role=row], [role=rowgroup], [role=columnheader], [role=rowheader], [role=cell], [role=gridcell]')
      .forEach((el) => el.setAttribute('role', 'none'));
    root.querySelectorAll('[aria-colindex], [aria-rowindex], [aria-colspan], [aria-rowspan]').forEach((el) => {
      for (const name of ['aria-colindex', 'aria-rowindex', 'aria-colspan', 'aria-rowspan']) el.removeAttribute(name);
    });
  }

  /**
   * Shows a sheet: its doctors as columns, its appointments as events. The view stays where the
   * person left it when the same days are shown again (after a check-in, a move, another desk's
   * change); a day or view newly shown opens at the current hour today, else at the morning, or
   * at the visit asked for with `reveal`.
   */
  show(sheet: DaySheet, view: View, working: WorkingTime | null = null): void {
    this.tz = sheet.tz;
    this.last = [sheet, view, working];
    const zone = zoneOffset(sheet.tz);
    if (zone !== this.zone) {
      this.zone = zone;
      this.ec.setOption('timeZone', zone); // before the events, which are set below
    }
    this.rows = new Map(sheet.appointments.map((a) => [String(a.id), a]));
    const place = `${view} ${sheet.date}`;
    const revealed = sheet.appointments.find((a) => a.id === this.revealing);
    if (place !== this.place || revealed) {
      this.place = place;
      const now = wallTime(new Date().toISOString(), sheet.tz);
      const at = revealed ? wallTime(revealed.start, sheet.tz) : now.slice(0, 10) === sheet.date ? now : null;
      const hour = at === null ? null : Math.max(0, Number(at.slice(11, 13)) - 1);
      // Another day opens at the clinic's opening hour, when it has hours.
      const opens = working?.clinic.opens_at_minute;
      const morning = opens == null ? '07:30' : `${String(Math.floor(opens / 60)).padStart(2, '0')}:${String(opens % 60).padStart(2, '0')}`;
      this.ec.setOption('scrollTime', hour === null ? morning : `${String(hour).padStart(2, '0')}:00`);
      this.ec.setOption('view', view === 'week' ? 'resourceTimeGridWeek' : 'resourceTimeGridDay');
      this.ec.setOption('date', `${sheet.date}T00:00:00`);
    }
    if (revealed) {
      this.revealing = null;
      this.highlighted = revealed.id;
      window.setTimeout(() => { if (this.highlighted === revealed.id) this.highlighted = null; }, HIGHLIGHT_MS);
    }
    this.ec.setOption('resources', sheet.doctors.map((d) => ({ id: d.id, title: d.name })));
    this.ec.setOption('selectable', sheet.may_book);
    this.ec.setOption('events', sheet.appointments.map((a) => ({
      id: String(a.id),
      resourceIds: [a.doctor_id],
      // Wall times in the clinic's zone: the widget shows them as they are.
      start: wallTime(a.start, this.tz),
      end: wallTime(a.end, this.tz),
      title: `${a.patient_name} · ${a.type_name}${a.tz === this.tz ? '' : ` (${a.tz})`}`,
      classNames: [`status-${a.status}`, `mode-${a.mode}`, ...(a.meeting ? [`meeting-${a.meeting.state}`] : []),
        ...(a.id === this.highlighted ? ['just-changed'] : [])],
      // Those who book drag what may still move; nobody else is offered a drag the backend refuses.
      editable: sheet.may_book && (a.status === 'booked' || a.status === 'checked-in'),
      extendedProps: { status: tk(`status.${a.status}`) },
    })).concat(offHours(sheet, working).map((e) => ({ ...e, title: e.title ?? '', classNames: e.title ? ['off-hours', 'day-off'] : ['off-hours'], editable: false, extendedProps: { status: '' } })))
      .concat(sheet.busy.map((b, i) => ({
      // Another doctor's visit, when the clinic shows each doctor only their own patients: time
      // held, nothing to open or move.
      id: `busy-${i}`,
      resourceIds: [b.doctor_id],
      start: wallTime(b.start, this.tz),
      end: wallTime(b.end, this.tz),
      title: t('cal.busy'),
      classNames: ['busy'],
      editable: false as boolean,
      extendedProps: { status: t('cal.busy') },
    }))));
    this.accessible();
    this.root.dataset.empty = String(sheet.doctors.length === 0);
    this.root.setAttribute('aria-label', sheet.doctors.length ? sheet.date : t('cal.noDoctors'));
  }

  /**
   * An event's content, the patient's name first whatever its length (a 15-minute visit is one
   * line: the name, its status mark, then what room is left); then the time, the type and a
   * telehealth visit's meeting state. The whole text is the block's tooltip.
   */
  private content(info: Calendar.EventContentInfo): Calendar.Content {
    const time = h('time', { class: 'ec-event-time' }, info.timeText);
    if (info.event.display === 'pointer') return { domNodes: [time] };
    if (info.event.display === 'background') {
      // A day off or a holiday says so in the doctor's column; other shaded time says nothing.
      const words = typeof info.event.title === 'string' ? info.event.title : '';
      return { domNodes: words ? [h('span', { class: 'off-label' }, words)] : [] };
    }
    const row = this.rows.get(String(info.event.id));
    if (!row) {
      return { domNodes: [h('div', { class: 'event-body', title: `${t('cal.busy')} · ${info.timeText}` },
        h('div', { class: 'event-line' }, h('strong', { class: 'event-name' }, t('cal.busy')), ' ', time))] };
    }
    const status = tk(`status.${row.status}`);
    const zone = row.tz === this.tz ? '' : ` (${row.tz})`;
    const meeting = row.meeting;
    const tip = [row.patient_name, `${info.timeText}${zone}`, row.type_name, status,
      meeting ? meetingBadge(meeting).textContent ?? '' : ''].filter(Boolean).join(' · ');
    return { domNodes: [h('div', { class: 'event-body', title: tip },
      h('div', { class: 'event-line' },
        statusMark(row.status),
        h('strong', { class: 'event-name' }, row.patient_name),
        ' ', time, meeting ? meetingMark(meeting) : ''),
      h('div', { class: 'event-more' }, `${row.type_name}${zone}`, row.status === 'booked' ? '' : ` · ${status}`,
        meeting ? ' ' : '', meeting ? meetingBadge(meeting) : ''))] };
  }

  /**
   * Sets the widget's options directly: only for the start-up benchmark's calendar pages
   * (floor.ts), which measure other configurations of the widget beside the app's (ADR 0025).
   */
  tune(options: Record<string, unknown>): void {
    for (const [name, value] of Object.entries(options)) this.ec.setOption(name as never, value as never);
  }

  /** Brings the visit `id` into view, highlighted, the next time it is shown. */
  reveal(id: number): void {
    this.revealing = id;
  }

  private async move(info: Calendar.EventDropInfo): Promise<void> {
    if (info.newResource && info.oldResource && info.newResource.id !== info.oldResource.id) {
      info.revert();
      this.handlers.onError(t('cal.otherDoctor'));
      return;
    }
    const id = Number(info.event.id);
    const to = { at: wallFromDate(info.event.start), tz: this.tz, fold: null };
    let overlap = false;
    let outside = false;
    for (;;) {
      try {
        await ipc.moveAppointment(id, to, overlap, outside);
        this.reveal(id);
        this.handlers.onMoved(id);
        return;
      } catch (e) {
        const err = asAppError(e);
        const clash: boolean = err.kind === 'conflict' && err.field === 'start' && !overlap;
        const unworked: boolean = err.kind === 'outside_hours' && !outside;
        // A drop on a taken slot, or outside the doctor's hours: asked in place, as the
        // booking dialog asks; anything else goes back where it was, with the reason.
        if ((clash || unworked) && await this.confirmMove(err.message, clash ? t('cal.moveOverlap') : t('cal.moveOutside'))) {
          overlap ||= clash;
          outside ||= unworked;
          continue;
        }
        info.revert();
        if (!(clash || unworked)) this.handlers.onError(err.message);
        return;
      }
    }
  }

  /**
   * Asks, over the calendar, whether a move the rules refused should go ahead anyway; true for
   * "yes". Escape or the other button says no; the focus goes back where it was.
   */
  private confirmMove(reason: string, yes: string): Promise<boolean> {
    const back = document.activeElement as HTMLElement | null;
    return new Promise((resolve) => {
      const done = (answer: boolean) => { box.remove(); back?.focus(); resolve(answer); };
      const ok = h('button', { type: 'button', class: 'primary', id: 'move-anyway', onclick: () => done(true) }, yes);
      const no = h('button', { type: 'button', id: 'move-keep', onclick: () => done(false) }, t('cal.moveKeep'));
      const box = h('div', { class: 'move-confirm', role: 'alertdialog', 'aria-modal': 'true', 'aria-labelledby': 'move-reason' },
        h('p', { id: 'move-reason' }, reason), h('div', { class: 'actions' }, no, ok));
      box.addEventListener('keydown', (e) => { if (e.key === 'Escape') { e.preventDefault(); done(false); } });
      this.root.append(box);
      ok.focus();
    });
  }

  destroy(): void {
    void destroyCalendar(this.ec);
  }
}

/** A background event of the widget: time shaded in one doctor's column; a day off's says so. */
interface Shade { id: string; resourceIds: number[]; start: string; end: string; display: 'background'; title?: string }

/** The date after `date` (`YYYY-MM-DD`). */
function dayAfter(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

/**
 * The time each shown doctor does not work over the sheet's days (their hours, the clinic's,
 * days off and holidays, as the backend merged them), as shaded wall-clock spans in the clinic's
 * zone; nothing for a doctor whose time is not restricted (no hours entered). A day off or a
 * holiday is shaded on its own and its shade carries the words ("Day off: Conference").
 */
export function offHours(sheet: DaySheet, working: WorkingTime | null): Shade[] {
  if (!working) return [];
  const [y, m, d] = sheet.date.split('-').map(Number);
  const end = `${new Date(Date.UTC(y, m - 1, d + sheet.days)).toISOString().slice(0, 10)}T00:00:00`;
  const shades: Shade[] = [];
  const words = (what: string, label: string | null) => (label ? `${what}: ${label}` : what);
  for (const doctor of sheet.doctors) {
    const time = working.doctors.find((w) => w.doctor_id === doctor.id);
    if (!time?.restricted) continue;
    const marks = new Map<string, string>([
      ...working.clinic.holidays.map((h): [string, string] => [h.date, words(t('cal.holiday'), h.label)]),
      ...time.days_off.map((o): [string, string] => [o.date, words(t('cal.dayOff'), o.label)]),
    ]);
    // A shade is cut where a marked day starts and ends, so that its words sit on that day only.
    const cuts = [...new Set([...marks.keys()].flatMap((date) => [`${date}T00:00:00`, `${dayAfter(date)}T00:00:00`]))].sort();
    const labelled = new Set<string>();
    const add = (start: string, stop: string) => {
      for (const cut of [...cuts.filter((c) => c > start && c < stop), stop]) {
        const date = start.slice(0, 10);
        const title = marks.has(date) && !labelled.has(date) ? marks.get(date) : undefined;
        if (title) labelled.add(date);
        shades.push({ id: `off-${doctor.id}-${shades.length}`, resourceIds: [doctor.id], start, end: cut, display: 'background', ...(title ? { title } : {}) });
        start = cut;
      }
    };
    let from = `${sheet.date}T00:00:00`;
    const spans = time.working.map((w) => [wallTime(w.start, sheet.tz), wallTime(w.end, sheet.tz)]).sort(([a], [b]) => a.localeCompare(b));
    for (const [start, stop] of [...spans, [end, end]]) {
      if (start > from) add(from, start < end ? start : end);
      if (stop > from) from = stop;
    }
  }
  return shades;
}
