// The calendar: day and week views with one column per doctor (EventCalendar's resource time
// grid), coloured by status and mode, with a current-time line. A telehealth visit's event also
// says where its meeting stands. Selecting an empty slot offers a booking; dragging an
// appointment moves it (the backend's conflict rule applies and is explained).
import { createCalendar, destroyCalendar, Interaction, ResourceTimeGrid } from '@event-calendar/core';
import type { Calendar } from '@event-calendar/core';
import '@event-calendar/core/index.css';
import { asAppError, ipc } from './ipc';
import type { DaySheet, DaySheetRow } from './ipc';
import { t, tk, wallFromDate, wallTime } from './messages';
import type { Slot } from './booking';
import { h } from './dom';
import { meetingBadge, meetingMark } from './meeting';

export type View = 'day' | 'week';

export interface CalendarHandlers {
  onSelectSlot: (slot: Slot) => void;
  onOpenAppointment: (row: DaySheetRow) => void;
  onError: (message: string) => void;
  onMoved: () => void;
}

export class ScheduleCalendar {
  private ec: Calendar;
  private rows = new Map<string, DaySheetRow>();
  private tz: string;

  constructor(private root: HTMLElement, tz: string, locale: string, private handlers: CalendarHandlers) {
    this.tz = tz;
    this.ec = createCalendar(root, [ResourceTimeGrid, Interaction], {
      locale,
      view: 'resourceTimeGridDay',
      headerToolbar: { start: '', center: '', end: '' },
      allDaySlot: false,
      nowIndicator: true,
      firstDay: 1, // weeks start on Monday, as the week view asks the backend for Monday to Sunday
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

  /** Shows a sheet: its doctors as columns, its appointments as events. */
  show(sheet: DaySheet, view: View): void {
    this.tz = sheet.tz;
    this.rows = new Map(sheet.appointments.map((a) => [String(a.id), a]));
    // Today opens at the current hour; other days at the start of the morning.
    const now = wallTime(new Date().toISOString(), sheet.tz);
    const hour = Math.max(0, Number(now.slice(11, 13)) - 1);
    this.ec.setOption('scrollTime', now.slice(0, 10) === sheet.date ? `${String(hour).padStart(2, '0')}:00` : '07:30');
    this.ec.setOption('view', view === 'week' ? 'resourceTimeGridWeek' : 'resourceTimeGridDay');
    this.ec.setOption('date', `${sheet.date}T00:00:00`);
    this.ec.setOption('resources', sheet.doctors.map((d) => ({ id: d.id, title: d.name })));
    this.ec.setOption('events', sheet.appointments.map((a) => ({
      id: a.id,
      resourceIds: [a.doctor_id],
      // Wall times in the clinic's zone: the widget shows them as they are.
      start: wallTime(a.start, this.tz),
      end: wallTime(a.end, this.tz),
      title: `${a.patient_name} · ${a.type_name}${a.tz === this.tz ? '' : ` (${a.tz})`}`,
      classNames: [`status-${a.status}`, `mode-${a.mode}`, ...(a.meeting ? [`meeting-${a.meeting.state}`] : [])],
      editable: a.status === 'booked' || a.status === 'checked-in',
      extendedProps: { status: tk(`status.${a.status}`) },
    })));
    this.accessible();
    this.root.dataset.empty = String(sheet.doctors.length === 0);
    this.root.setAttribute('aria-label', sheet.doctors.length ? sheet.date : t('cal.noDoctors'));
  }

  /**
   * The widget's own content (time, title), with a telehealth visit's meeting: its state's shape
   * on the time line, which shows even on the shortest event, and in words after the title.
   */
  private content(info: Calendar.EventContentInfo): Calendar.Content {
    const time = h('time', { class: 'ec-event-time' }, info.timeText);
    if (info.event.display === 'pointer') return { domNodes: [time] };
    const meeting = this.rows.get(String(info.event.id))?.meeting;
    const text = typeof info.event.title === 'string' ? info.event.title : '';
    if (!meeting) return { domNodes: [time, h('h4', { class: 'ec-event-title' }, text)] };
    return { domNodes: [
      h('div', { class: 'event-head' }, time, meetingMark(meeting)),
      h('h4', { class: 'ec-event-title' }, text, ' ', meetingBadge(meeting)),
    ] };
  }

  private async move(info: Calendar.EventDropInfo): Promise<void> {
    if (info.newResource && info.oldResource && info.newResource.id !== info.oldResource.id) {
      info.revert();
      this.handlers.onError(t('cal.otherDoctor'));
      return;
    }
    try {
      await ipc.moveAppointment(Number(info.event.id), { at: wallFromDate(info.event.start), tz: this.tz, fold: null }, false, false);
      this.handlers.onMoved();
    } catch (e) {
      info.revert();
      this.handlers.onError(asAppError(e).message);
    }
  }

  destroy(): void {
    void destroyCalendar(this.ec);
  }
}
