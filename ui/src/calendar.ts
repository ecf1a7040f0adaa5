// The calendar: day and week views drawn as plain positioned elements (ADR 0025). A day is one
// column per doctor; a week is one column per day of one doctor's week. Each visit is a button
// placed by its wall-clock minutes in the clinic's zone, coloured by status and mode, its patient's
// name first; a telehealth visit's also says where its meeting stands. The clinic's now line runs
// across today. A press on an empty slot offers a booking; dragging a visit moves it (the
// backend's conflict and hours rules apply and are asked in place); dropping it on another
// doctor's column opens the reschedule on that doctor.
import { asAppError, ipc } from './ipc';
import type { DaySheet, DaySheetRow, Staff, WorkingTime } from './ipc';
import { formatTimeRange, formatWeekday, localeTag, t, tk, wallTime } from './messages';
import { addDays, showClock } from './when';
import type { Slot } from './booking';
import { h } from './dom';
import { meetingBadge, meetingMark, meetingShort } from './meeting';
import { statusMark } from './legend';
import { step } from './painted';

export type View = 'day' | 'week';

/** How long a visit just booked or moved stays highlighted. */
export const HIGHLIGHT_MS = 4000;

/** The height of a quarter hour, in pixels: a 15-minute visit has room for one line. */
export const SLOT_PX = 24;
const PX_PER_MINUTE = SLOT_PX / 15;
const DAY_MINUTES = 24 * 60;
/** How far a press must travel before it is a drag rather than a click. */
const DRAG_START_PX = 5;
/** How often the now line moves. */
const NOW_EVERY_MS = 30_000;

export interface CalendarHandlers {
  onSelectSlot: (slot: Slot) => void;
  onOpenAppointment: (row: DaySheetRow) => void;
  onError: (message: string) => void;
  /** A visit was moved by a drop. */
  onMoved: (id: number) => void;
  /** A visit was dropped on another doctor's column: reschedule it to them at that time. */
  onMoveToDoctor: (row: DaySheetRow, slot: Slot) => void;
}

/** One column of the grid: a doctor on a day. */
interface Column { doctor: Staff; date: string }

/** A block placed in a column: its minutes from the column's midnight, and its lane among those it overlaps. */
interface Placed { from: number; to: number; lane: number; lanes: number }

/** A visit being dragged. */
interface Drag {
  row: DaySheetRow;
  source: HTMLElement;
  pointer: number;
  x: number;
  y: number;
  /** The visit's column and minutes where the press started. */
  column: number;
  from: number;
  /** Where it would land now. */
  to: { column: number; from: number };
  preview: HTMLElement | null;
  /** The hours' scroll when the press started, and when they were last scrolled by the drag. */
  scroll: number;
  scrolledAt: number;
}

const p2 = (n: number) => String(n).padStart(2, '0');
const clock = (minutes: number) => `${p2(Math.floor(minutes / 60))}:${p2(minutes % 60)}`;
const px = (minutes: number) => `${minutes * PX_PER_MINUTE}px`;

/** Minutes from `date`'s midnight to the wall time `wall` (`YYYY-MM-DDTHH:MM…`), which may fall on another day. */
function minutesFrom(date: string, wall: string): number {
  const days = Math.round((Date.parse(`${wall.slice(0, 10)}T00:00:00Z`) - Date.parse(`${date}T00:00:00Z`)) / 86_400_000);
  return days * DAY_MINUTES + Number(wall.slice(11, 13)) * 60 + Number(wall.slice(14, 16));
}

/** Puts a block at its minutes and lane (at least a quarter hour tall, within the day). */
function position(el: HTMLElement, at: Placed): void {
  const from = Math.max(0, at.from);
  const to = Math.min(DAY_MINUTES, Math.max(at.to, from + 15));
  el.style.top = px(from);
  el.style.height = px(to - from);
  el.style.left = `${(100 * at.lane) / at.lanes}%`;
  el.style.width = `${100 / at.lanes}%`;
}

/**
 * Side by side where blocks overlap: each group of blocks that overlap one another shares the
 * column's width in lanes, each block in the first lane free at its start.
 */
export function lanes<T>(blocks: readonly T[], span: (b: T) => [number, number]): Map<T, Placed> {
  const sorted = [...blocks].sort((a, b) => span(a)[0] - span(b)[0] || span(b)[1] - span(a)[1]);
  const placed = new Map<T, Placed>();
  let group: Placed[] = [];
  let laneEnds: number[] = [];
  let groupEnd = -Infinity;
  const close = () => { for (const p of group) p.lanes = laneEnds.length; group = []; laneEnds = []; };
  for (const block of sorted) {
    const [from, to] = span(block);
    if (from >= groupEnd) close();
    let lane = laneEnds.findIndex((end) => end <= from);
    if (lane < 0) lane = laneEnds.push(to) - 1; else laneEnds[lane] = to;
    const p = { from, to, lane, lanes: 1 };
    group.push(p);
    placed.set(block, p);
    groupEnd = Math.max(groupEnd, to);
  }
  close();
  return placed;
}

export class ScheduleCalendar {
  private rows = new Map<number, DaySheetRow>();
  private tz: string;
  private sheet: DaySheet | null = null;
  private columns: Column[] = [];
  private columnEls: HTMLElement[] = [];
  private head = h('div', { class: 'cal-head' });
  private cols = h('div', { class: 'cal-cols' });
  private gutter = h('div', { class: 'cal-gutter', 'aria-hidden': 'true' });
  private body = h('div', { class: 'cal-body' }, this.gutter, this.cols);
  /** The scrolling region: the header stays on top of it, the hours scroll. */
  private scroller = h('div', { class: 'cal-scroller', role: 'region', tabindex: '0' }, this.head, this.body);
  /** The view and first day shown, so that showing them again keeps the scroll where it is. */
  private place = '';
  private gutterLocale = '';
  /** A visit to bring into view when it is next shown (just booked or moved). */
  private revealing: number | null = null;
  /** The visit shown highlighted, for a few seconds after it was revealed. */
  private highlighted: number | null = null;
  /** The visit whose panel is open, marked as such. */
  private open: number | null = null;
  private drag: Drag | null = null;
  /** A drag just ended: the click that follows its release opens nothing. */
  private dragged = false;
  private timer: number;

  constructor(private root: HTMLElement, tz: string, _locale: string, private handlers: CalendarHandlers) {
    this.tz = tz;
    this.scroller.setAttribute('aria-label', t('nav.calendar'));
    this.body.style.height = px(DAY_MINUTES);
    root.replaceChildren(this.scroller);
    this.cols.addEventListener('pointerdown', (e) => this.press(e));
    this.cols.addEventListener('click', (e) => this.clicked(e));
    // The now line follows the clinic's clock (and its DST), whatever the computer's zone is.
    this.timer = window.setInterval(() => this.placeNow(), NOW_EVERY_MS);
  }

  /**
   * Shows a sheet: its doctors as columns (a week: the days of each doctor's week), its
   * appointments as blocks. The view stays where the person left it when the same days are shown
   * again (after a check-in, a move, another desk's change); a day or view newly shown opens at
   * the current hour today, else at the clinic's opening (or 7:30), or at the visit asked for
   * with `reveal`.
   */
  show(sheet: DaySheet, view: View, working: WorkingTime | null = null): void {
    this.tz = sheet.tz;
    this.sheet = sheet;
    this.rows = new Map(sheet.appointments.map((a) => [a.id, a]));
    const days = view === 'week' ? Array.from({ length: sheet.days }, (_, i) => addDays(sheet.date, i)) : [sheet.date];
    this.columns = sheet.doctors.flatMap((doctor) => days.map((date) => ({ doctor, date })));
    const revealed = sheet.appointments.find((a) => a.id === this.revealing);
    if (revealed) {
      this.revealing = null;
      this.highlighted = revealed.id;
      window.setTimeout(() => {
        if (this.highlighted !== revealed.id) return;
        this.highlighted = null;
        this.cols.querySelector(`[data-id="${revealed.id}"]`)?.classList.remove('just-changed');
      }, HIGHLIGHT_MS);
    }
    const now = wallTime(new Date().toISOString(), sheet.tz);
    this.drawGutter();
    this.drawHead(view, days, now.slice(0, 10));
    this.drawColumns(sheet, working, days.length, now.slice(0, 10));
    step('grid-built');
    this.root.dataset.empty = String(sheet.doctors.length === 0);
    this.root.setAttribute('aria-label', sheet.doctors.length ? sheet.date : t('cal.noDoctors'));

    const place = `${view} ${sheet.date}`;
    if (place !== this.place || revealed) {
      this.place = place;
      const at = revealed ? wallTime(revealed.start, sheet.tz) : days.includes(now.slice(0, 10)) ? now : null;
      // Another day opens at the clinic's opening hour, when it has hours.
      const opens = working?.clinic.opens_at_minute ?? 7 * 60 + 30;
      this.scrollTo(at === null ? opens : Math.max(0, Number(at.slice(11, 13)) - 1) * 60);
      step('scrolled');
    }
  }

  /** Scrolls the hours so that `minutes` after midnight is at the top. */
  scrollTo(minutes: number): void {
    this.scroller.dataset.opensAt = clock(minutes);
    this.scroller.scrollTop = minutes * PX_PER_MINUTE;
  }

  /** The hours down the side, in the clinic's locale (drawn again only when it changes). */
  private drawGutter(): void {
    const tag = localeTag();
    if (tag === this.gutterLocale) return;
    this.gutterLocale = tag;
    this.gutter.replaceChildren(...Array.from({ length: 24 }, (_, hour) => {
      const label = h('div', { class: 'cal-hour' }, showClock(clock(hour * 60)));
      label.style.top = px(hour * 60);
      return label;
    }));
  }

  private drawHead(view: View, days: string[], today: string): void {
    const template = `var(--gutter) repeat(${Math.max(1, this.columns.length)}, minmax(0, 1fr))`;
    this.head.style.gridTemplateColumns = template;
    this.body.style.gridTemplateColumns = template;
    const corner = () => h('div', { class: 'cal-corner' });
    if (view === 'day') {
      this.head.replaceChildren(corner(), ...this.columns.map((c) => h('div', { class: 'col-head', title: c.doctor.name }, c.doctor.name)));
      return;
    }
    const doctors = this.columns.filter((_, i) => i % days.length === 0).map((c) => {
      const el = h('div', { class: 'doctor-head', title: c.doctor.name }, c.doctor.name);
      el.style.gridColumn = `span ${days.length}`;
      return el;
    });
    this.head.replaceChildren(corner(), ...doctors, corner(),
      ...this.columns.map((c) => h('div', { class: `col-head${c.date === today ? ' today' : ''}` }, formatWeekday(c.date))));
  }

  private drawColumns(sheet: DaySheet, working: WorkingTime | null, days: number, today: string): void {
    const shades = offHours(sheet, working);
    this.columnEls = this.columns.map((column) => {
      // Each column is a group named by its doctor (and day, in a week), so that a screen reader
      // says whose visits it reads.
      const name = days === 1 ? column.doctor.name : `${column.doctor.name}, ${formatWeekday(column.date)}`;
      const col = h('div', {
        class: `cal-col${sheet.may_book ? ' bookable' : ''}${column.date === today ? ' today' : ''}`,
        role: 'group', 'aria-label': name, 'data-doctor': column.doctor.id, 'data-date': column.date,
      });
      // Shaded time first, under the visits.
      for (const shade of shades) {
        if (shade.resourceIds[0] !== column.doctor.id) continue;
        const from = Math.max(0, minutesFrom(column.date, shade.start));
        const to = Math.min(DAY_MINUTES, minutesFrom(column.date, shade.end));
        if (to <= from) continue;
        const el = h('div', { class: shade.title ? 'shade off-hours day-off' : 'shade off-hours' },
          shade.title ? h('span', { class: 'off-label' }, shade.title) : null);
        el.style.top = px(from);
        el.style.height = px(to - from);
        col.append(el);
      }
      const visits: { row: DaySheetRow | null; start: string; end: string }[] = [
        ...sheet.appointments.filter((a) => a.doctor_id === column.doctor.id).map((a) => ({ row: a, start: a.start, end: a.end })),
        ...sheet.busy.filter((b) => b.doctor_id === column.doctor.id).map((b) => ({ row: null, start: b.start, end: b.end })),
      ];
      const spans = new Map(visits.map((v) => [v, [minutesFrom(column.date, wallTime(v.start, this.tz)), minutesFrom(column.date, wallTime(v.end, this.tz))] as [number, number]]));
      const shown = visits.filter((v) => { const [from, to] = spans.get(v) ?? [0, 0]; return to > 0 && from < DAY_MINUTES; });
      const placed = lanes(shown, (v) => spans.get(v) ?? [0, 0]);
      for (const v of shown) {
        const at = placed.get(v);
        if (!at) continue;
        const el = v.row ? this.visit(v.row, sheet.may_book) : this.busy(v.start, v.end);
        position(el, at);
        col.append(el);
      }
      return col;
    });
    this.cols.replaceChildren(...this.columnEls);
    this.placeNow();
  }

  /**
   * A visit's block: the patient's name first whatever its length (a 15-minute visit is one line:
   * the name, its status mark, then what room is left); then the time, the type and a telehealth
   * visit's meeting state. The whole text is the block's tooltip.
   */
  private visit(row: DaySheetRow, mayBook: boolean): HTMLElement {
    const status = tk(`status.${row.status}`);
    const zone = row.tz === this.tz ? '' : ` (${row.tz})`;
    const times = formatTimeRange(row.start, row.end, this.tz);
    const meeting = row.meeting;
    const tip = [row.patient_name, `${times}${zone}`, row.type_name, status, meeting ? meetingShort(meeting) : ''].filter(Boolean).join(' · ');
    // Those who book drag what may still move; nobody else is offered a drag the backend refuses.
    const movable = mayBook && (row.status === 'booked' || row.status === 'checked-in');
    const classes = ['visit', `status-${row.status}`, `mode-${row.mode}`, ...(meeting ? [`meeting-${meeting.state}`] : []),
      ...(row.id === this.highlighted ? ['just-changed'] : []), ...(movable ? ['movable'] : []),
      ...(row.id === this.open ? ['open'] : []),
      // A quarter hour has room for one line: the name, the mark and the time.
      ...(row.duration_minutes <= 15 ? ['short'] : [])];
    return h('button', { type: 'button', class: classes.join(' '), 'data-id': row.id, title: tip, 'aria-current': row.id === this.open ? 'true' : null },
      h('span', { class: 'event-line' },
        statusMark(row.status),
        h('strong', { class: 'event-name' }, row.patient_name),
        ' ', h('time', { class: 'event-time' }, times), meeting ? meetingMark(meeting) : ''),
      h('span', { class: 'event-more' }, `${row.type_name}${zone}`, row.status === 'booked' ? '' : ` · ${status}`,
        meeting ? ' ' : '', meeting ? meetingBadge(meeting) : ''));
  }

  /** Another doctor's visit, when the clinic shows each doctor only their own patients: time held, nothing to open or move. */
  private busy(start: string, end: string): HTMLElement {
    const times = formatTimeRange(start, end, this.tz);
    return h('div', { class: 'visit busy', title: `${t('cal.busy')} · ${times}` },
      h('span', { class: 'event-line' }, h('strong', { class: 'event-name' }, t('cal.busy')), ' ', h('time', { class: 'event-time' }, times)));
  }

  /** The clinic's current time as a line across today's columns (none when today is not shown). */
  private placeNow(): void {
    const now = wallTime(new Date().toISOString(), this.tz);
    const minutes = Number(now.slice(11, 13)) * 60 + Number(now.slice(14, 16));
    for (const [i, col] of this.columnEls.entries()) {
      let line = col.querySelector<HTMLElement>(':scope > .now-line');
      if (this.columns[i]?.date !== now.slice(0, 10)) {
        line?.remove();
        continue;
      }
      if (!line) {
        line = h('div', { class: 'now-line', 'aria-hidden': 'true' });
        col.append(line);
      }
      line.style.top = px(minutes);
    }
  }

  /** Marks the visit whose panel is open (`null`: none), where it is shown now and later. */
  markOpen(id: number | null): void {
    this.open = id;
    for (const el of this.cols.querySelectorAll<HTMLElement>('.visit[data-id]')) {
      const open = Number(el.dataset.id) === id;
      el.classList.toggle('open', open);
      if (open) el.setAttribute('aria-current', 'true'); else el.removeAttribute('aria-current');
    }
  }

  /** Brings the visit `id` into view, highlighted, the next time it is shown. */
  reveal(id: number): void {
    this.revealing = id;
  }

  /** The column under the pointer's x, or null outside them. */
  private columnAt(x: number): number | null {
    for (const [i, col] of this.columnEls.entries()) {
      const r = col.getBoundingClientRect();
      if (x >= r.left && x < r.right) return i;
    }
    return null;
  }

  /** Minutes from midnight at the pointer's y in column `i`, down to the quarter hour. */
  private minuteAt(i: number, y: number): number {
    const top = this.columnEls[i].getBoundingClientRect().top;
    return Math.min(DAY_MINUTES - 15, Math.max(0, Math.floor((y - top) / SLOT_PX) * 15));
  }

  private press(e: PointerEvent): void {
    if (e.button !== 0 || this.drag) return;
    const block = (e.target as HTMLElement).closest<HTMLElement>('.visit');
    if (!block?.classList.contains('movable')) return;
    const row = this.rows.get(Number(block.dataset.id));
    const column = this.columnEls.findIndex((c) => c.contains(block));
    if (!row || column < 0) return;
    const from = minutesFrom(this.columns[column].date, wallTime(row.start, this.tz));
    this.drag = { row, source: block, pointer: e.pointerId, x: e.clientX, y: e.clientY, column, from, to: { column, from }, preview: null, scroll: this.scroller.scrollTop, scrolledAt: 0 };
    const move = (ev: PointerEvent) => this.dragTo(ev);
    const stop = (ev: PointerEvent | KeyboardEvent) => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', stop);
      window.removeEventListener('pointercancel', stop);
      window.removeEventListener('keydown', stop, true);
      if (ev instanceof KeyboardEvent) ev.preventDefault();
      void this.drop(ev.type === 'pointerup');
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', stop);
    window.addEventListener('pointercancel', stop);
    window.addEventListener('keydown', stop, true); // Escape (or any key) puts it back
  }

  /** Follows the pointer: past a few pixels the press is a drag, its preview snapped to the quarter hour. */
  private dragTo(e: PointerEvent): void {
    const d = this.drag;
    if (!d || e.pointerId !== d.pointer) return;
    if (!d.preview) {
      if (Math.hypot(e.clientX - d.x, e.clientY - d.y) < DRAG_START_PX) return;
      d.preview = d.source.cloneNode(true) as HTMLElement;
      d.preview.classList.add('drag-preview');
      d.preview.classList.remove('just-changed');
      d.preview.removeAttribute('data-id');
      d.source.classList.add('drag-source');
      this.root.classList.add('dragging');
    }
    // Near the top or bottom edge, the hours scroll on.
    const view = this.scroller.getBoundingClientRect();
    const edge = e.clientY < view.top + 40 ? -1 : e.clientY > view.bottom - 20 ? 1 : 0;
    if (edge && e.timeStamp - d.scrolledAt > 30) {
      this.scroller.scrollTop += edge * SLOT_PX;
      d.scrolledAt = e.timeStamp;
    }
    const column = this.columnAt(e.clientX) ?? d.to.column;
    const duration = Math.min(DAY_MINUTES, d.row.duration_minutes);
    // The block moves by whole quarter hours, as far as the pointer went (the hours scrolled
    // under it count too).
    const moved = Math.round((e.clientY - d.y + this.scroller.scrollTop - d.scroll) / SLOT_PX) * 15;
    const from = Math.min(DAY_MINUTES - duration, Math.max(0, d.from + moved));
    d.to = { column, from };
    const preview = d.preview;
    preview.style.top = px(from);
    preview.style.height = px(Math.max(15, duration));
    preview.style.left = '0';
    preview.style.width = '100%';
    const time = preview.querySelector('.event-time');
    if (time) time.textContent = `${showClock(clock(from))}–${showClock(clock((from + duration) % DAY_MINUTES))}`;
    if (preview.parentElement !== this.columnEls[column]) this.columnEls[column].append(preview);
  }

  /** Ends a drag: `release` moves the visit where its preview is; otherwise it stays. */
  private async drop(release: boolean): Promise<void> {
    const d = this.drag;
    this.drag = null;
    if (!d) return;
    if (!d.preview) return; // a click: the click handler opens it
    if (release) {
      // The release of a drag also clicks where it ends: that click opens nothing.
      this.dragged = true;
      window.setTimeout(() => { this.dragged = false; }, 0);
    }
    this.root.classList.remove('dragging');
    const revert = () => { d.preview?.remove(); d.source.classList.remove('drag-source'); };
    const target = this.columns[d.to.column];
    const same = d.to.column === d.column && d.to.from === d.from;
    if (!release || same || !target) return revert();
    const at = `${target.date}T${clock(d.to.from)}`;
    if (target.doctor.id !== d.row.doctor_id) {
      revert();
      this.handlers.onMoveToDoctor(d.row, { date: at.slice(0, 10), time: at.slice(11, 16), doctorId: target.doctor.id });
      return;
    }
    await this.move(d.row.id, at, revert);
  }

  /** A click: a visit opens; an empty slot, for those who book, offers a booking there. */
  private clicked(e: MouseEvent): void {
    if (this.dragged) return;
    const block = (e.target as HTMLElement).closest<HTMLElement>('.visit');
    if (block) {
      const row = this.rows.get(Number(block.dataset.id));
      if (row && !block.classList.contains('drag-preview')) this.handlers.onOpenAppointment(row);
      return;
    }
    if (!this.sheet?.may_book) return;
    const i = this.columnEls.findIndex((c) => c === e.target || c.contains(e.target as Node));
    if (i < 0) return;
    const column = this.columns[i];
    this.handlers.onSelectSlot({ date: column.date, time: clock(this.minuteAt(i, e.clientY)), doctorId: column.doctor.id });
  }

  /**
   * Moves visit `id` to the wall time `at`: a taken slot, or one outside the doctor's hours, is
   * asked in place, as the booking dialog asks; anything else puts it back, with the reason.
   */
  async move(id: number, at: string, revert: () => void): Promise<void> {
    const to = { at, tz: this.tz, fold: null };
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
        if ((clash || unworked) && await this.confirmMove(err.message, clash ? t('cal.moveOverlap') : t('cal.moveOutside'))) {
          overlap ||= clash;
          outside ||= unworked;
          continue;
        }
        revert();
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
    window.clearInterval(this.timer);
    this.root.replaceChildren();
  }
}

/** Time shaded in one doctor's column; a day off's says so. */
interface Shade { id: string; resourceIds: number[]; start: string; end: string; display: 'background'; title?: string }

/**
 * The time each shown doctor does not work over the sheet's days (their hours, the clinic's,
 * days off and holidays, as the backend merged them), as shaded wall-clock spans in the clinic's
 * zone; nothing for a doctor whose time is not restricted (no hours entered). A day off or a
 * holiday is shaded on its own and its shade carries the words ("Day off: Conference").
 */
export function offHours(sheet: DaySheet, working: WorkingTime | null): Shade[] {
  if (!working) return [];
  const end = `${addDays(sheet.date, sheet.days)}T00:00:00`;
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
    const cuts = [...new Set([...marks.keys()].flatMap((date) => [`${date}T00:00:00`, `${addDays(date, 1)}T00:00:00`]))].sort();
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
