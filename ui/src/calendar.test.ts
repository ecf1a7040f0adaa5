// @vitest-environment jsdom
// What the calendar hands the widget: each visit as an event, and other doctors' visits (for a
// doctor under the clinic's minimum-necessary setting) as busy time with nothing to open or move.
import { describe, expect, it, vi } from 'vitest';
import type { BusyBlock, DaySheet, DaySheetRow, Staff } from './ipc';

const widget = vi.hoisted(() => ({ options: {} as Record<string, unknown> }));
vi.mock('@event-calendar/core', () => ({
  createCalendar: (_root: HTMLElement, _plugins: unknown, options: Record<string, unknown>) => {
    Object.assign(widget.options, options);
    return { setOption: (key: string, value: unknown) => { widget.options[key] = value; } };
  },
  destroyCalendar: () => undefined,
  Interaction: {},
  ResourceTimeGrid: {},
}));

const { ScheduleCalendar } = await import('./calendar');

const ada: Staff = { id: 3, name: 'Dr Ada Lee', role: 'doctor', has_pin: true, active: true };
const ben: Staff = { id: 4, name: 'Dr Ben Roy', role: 'doctor', has_pin: true, active: true };
const own = {
  id: 7, patient_id: 1, doctor_id: 3, type_id: 1, start: '2026-07-06T13:30:00Z', end: '2026-07-06T14:00:00Z',
  tz: 'America/Toronto', local_start: '2026-07-06T09:30:00-04:00', local_end: '2026-07-06T10:00:00-04:00',
  duration_minutes: 30, topic: null, description: null, status: 'booked', cancel_reason: null, meeting: null,
  type_name: 'Consult', mode: 'in-person', doctor_name: 'Dr Ada Lee', patient_name: 'Jane Doe',
} as DaySheetRow;
const busy: BusyBlock = {
  doctor_id: 4, start: '2026-07-06T14:00:00Z', end: '2026-07-06T14:30:00Z',
  local_start: '2026-07-06T10:00:00-04:00', local_end: '2026-07-06T10:30:00-04:00',
};

interface Event { id: string; resourceIds: number[]; start: string; end: string; title: string; classNames: string[]; editable: boolean }

// The test process's environment (Node's), without Node's types in the UI's build.
const env = (globalThis as unknown as { process: { env: Record<string, string | undefined> } }).process.env;

describe("the calendar's clock", () => {
  it("is the clinic's, not the computer's: its now line and today follow the clinic's zone and its DST", () => {
    const before = env.TZ;
    env.TZ = 'Asia/Tokyo'; // the desk's computer is set to Tokyo
    vi.useFakeTimers();
    try {
      expect(new Date('2026-07-06T12:00:00Z').getTimezoneOffset()).toBe(-540);
      vi.setSystemTime(new Date('2026-07-06T14:00:00Z')); // 10:00 in Toronto, 23:00 in Tokyo
      const calendar = new ScheduleCalendar(document.createElement('div'), 'America/Toronto', 'en-CA', {
        onSelectSlot: () => undefined, onOpenAppointment: () => undefined, onError: () => undefined, onMoved: () => undefined,
      });
      expect(widget.options.timeZone).toBe('-04:00');
      const sheet: DaySheet = { clinic_name: 'Maple Clinic', tz: 'America/Toronto', date: '2026-11-01', days: 1, doctors: [ada], appointments: [], busy: [], may_book: true };
      calendar.show(sheet, 'day');
      expect(widget.options.timeZone).toBe('-04:00');
      // Toronto's clocks go back at 2:00 on 1 November while the desk is open: within a minute
      // the widget's clock is an hour behind, and the day is shown again on it.
      vi.setSystemTime(new Date('2026-11-01T06:30:00Z'));
      widget.options.events = undefined;
      vi.advanceTimersByTime(60_000);
      expect(widget.options.timeZone).toBe('-05:00');
      expect(widget.options.events).toEqual([]);
    } finally {
      vi.useRealTimers();
      if (before === undefined) delete env.TZ; else env.TZ = before;
    }
  });
});

describe('what the calendar offers', () => {
  it("shows another doctor's visit as Busy in their column, which opens and moves nothing, and drags only for those who book", () => {
    const opened: DaySheetRow[] = [];
    const calendar = new ScheduleCalendar(document.createElement('div'), 'America/Toronto', 'en-CA', {
      onSelectSlot: () => undefined, onOpenAppointment: (row) => opened.push(row), onError: () => undefined, onMoved: () => undefined,
    });
    const sheet: DaySheet = { clinic_name: 'Maple Clinic', tz: 'America/Toronto', date: '2026-07-06', days: 1, doctors: [ada, ben], appointments: [own], busy: [busy], may_book: false };
    calendar.show(sheet, 'day');
    const events = widget.options.events as Event[];
    expect(events.map((e) => [e.id, e.resourceIds, e.start, e.end, e.title, e.classNames, e.editable])).toEqual([
      ['7', [3], '2026-07-06T09:30:00', '2026-07-06T10:00:00', 'Jane Doe · Consult', ['status-booked', 'mode-in-person'], false],
      ['busy-0', [4], '2026-07-06T10:00:00', '2026-07-06T10:30:00', 'Busy', ['busy'], false],
    ]);
    const click = widget.options.eventClick as (info: { event: { id: string } }) => void;
    click({ event: { id: 'busy-0' } });
    expect(opened).toEqual([]);
    click({ event: { id: '7' } });
    expect(opened.map((r) => r.patient_name)).toEqual(['Jane Doe']);
    // A doctor does not book or move: no empty slot to pick, nothing to drag.
    expect(widget.options.selectable).toBe(false);

    // Those who book get both.
    calendar.show({ ...sheet, busy: [], may_book: true }, 'day');
    expect((widget.options.events as Event[]).map((e) => [e.id, e.editable])).toEqual([['7', true]]);
    expect(widget.options.selectable).toBe(true);
  });

  it("puts the patient's name first on every block, with a status mark and the whole text as its tooltip", () => {
    new ScheduleCalendar(document.createElement('div'), 'America/Toronto', 'en-CA', {
      onSelectSlot: () => undefined, onOpenAppointment: () => undefined, onError: () => undefined, onMoved: () => undefined,
    }).show({ clinic_name: 'Maple Clinic', tz: 'America/Toronto', date: '2026-07-06', days: 1, doctors: [ada, ben],
      appointments: [{ ...own, status: 'checked-in', duration_minutes: 15 }], busy: [busy], may_book: true }, 'day');
    const content = widget.options.eventContent as (info: unknown) => { domNodes: HTMLElement[] };
    const [block] = content({ event: { id: '7', title: 'Jane Doe · Consult', display: 'auto' }, timeText: '9:30 – 9:45' }).domNodes;
    const line = block.querySelector('.event-line') as HTMLElement;
    expect(line.querySelector('.event-name')?.textContent).toBe('Jane Doe');
    expect(line.textContent).toBe('●Jane Doe 9:30 – 9:45');
    expect(block.title).toBe('Jane Doe · 9:30 – 9:45 · Consult · Checked in');
    const [other] = content({ event: { id: 'busy-0', title: 'Busy', display: 'auto' }, timeText: '10:00 – 10:30' }).domNodes;
    expect([other.textContent, other.title]).toEqual(['Busy 10:00 – 10:30', 'Busy · 10:00 – 10:30']);
  });
});

describe('the legend', () => {
  it('names every status, each with a mark of its own besides booked', async () => {
    const { statusLegend, STATUS_MARKS } = await import('./legend');
    const items = [...statusLegend().querySelectorAll('li')].map((li) => [li.querySelector('.legend-swatch')?.textContent, li.textContent]);
    expect(items).toEqual([
      ['', 'Booked'], ['●', '●Checked in'], ['▶', '▶In progress'], ['✓', '✓Completed'], ['⊘', '⊘No-show'], ['✕', '✕Cancelled'],
    ]);
    const marks = Object.values(STATUS_MARKS).filter(Boolean);
    expect(new Set(marks).size).toBe(marks.length);
  });
});

describe('the view', () => {
  it('stays where it was when the same day is shown again, and goes to a visit just booked, highlighted', () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-07-06T15:20:00Z')); // 11:20 in Toronto
    const calendar = new ScheduleCalendar(document.createElement('div'), 'America/Toronto', 'en-CA', {
      onSelectSlot: () => undefined, onOpenAppointment: () => undefined, onError: () => undefined, onMoved: () => undefined,
    });
    const sheet: DaySheet = { clinic_name: 'Maple Clinic', tz: 'America/Toronto', date: '2026-07-06', days: 1, doctors: [ada], appointments: [own], busy: [], may_book: true };
    const set: string[] = [];
    const options = new Proxy(widget.options, { set: (o, k, v) => { if (k === 'scrollTime') set.push(String(v)); o[k as string] = v; return true; } });
    widget.options = options;
    calendar.show(sheet, 'day');
    expect(set, 'today opens at the hour before now').toEqual(['10:00']);
    calendar.show(sheet, 'day');
    calendar.show({ ...sheet, appointments: [{ ...own, status: 'checked-in' }] }, 'day');
    expect(set, 'read again after a change: the scroll is left alone').toEqual(['10:00']);
    calendar.show({ ...sheet, date: '2026-07-07', appointments: [] }, 'day');
    expect(set.at(-1)).toBe('07:30');

    const booked = { ...own, id: 8, start: '2026-07-07T18:00:00Z', end: '2026-07-07T18:30:00Z' };
    calendar.reveal(8);
    calendar.show({ ...sheet, date: '2026-07-07', appointments: [booked] }, 'day');
    expect(set.at(-1)).toBe('13:00');
    const classes = () => (widget.options.events as Event[]).find((e) => e.id === '8')?.classNames;
    expect(classes()).toContain('just-changed');
    vi.advanceTimersByTime(5000);
    calendar.show({ ...sheet, date: '2026-07-07', appointments: [booked] }, 'day');
    expect(classes()).not.toContain('just-changed');
    expect(set.at(-1)).toBe('13:00');
    expect(set).toHaveLength(3);
    vi.useRealTimers();
  });
});

describe('working hours', () => {
  it("shades each doctor's time outside their hours, nothing for a doctor with none, and opens another day at the clinic's opening", async () => {
    const { offHours } = await import('./calendar');
    const sheet: DaySheet = { clinic_name: 'Maple Clinic', tz: 'America/Toronto', date: '2026-07-07', days: 1, doctors: [ada, ben], appointments: [], busy: [], may_book: true };
    const working = {
      tz: 'America/Toronto', first: '2026-07-07', days: 1,
      clinic: { restricted: true, open: [], opens_at_minute: 8 * 60, holidays: [] },
      doctors: [
        { doctor_id: ada.id, restricted: true, days_off: [], working: [
          { start: '2026-07-07T13:00:00Z', end: '2026-07-07T16:00:00Z' }, // 09:00–12:00
          { start: '2026-07-07T17:00:00Z', end: '2026-07-07T21:00:00Z' }, // 13:00–17:00
        ] },
        { doctor_id: ben.id, restricted: false, days_off: [], working: [] },
      ],
    };
    expect(offHours(sheet, working).map((e) => [e.resourceIds[0], e.start, e.end, e.display])).toEqual([
      [ada.id, '2026-07-07T00:00:00', '2026-07-07T09:00:00', 'background'],
      [ada.id, '2026-07-07T12:00:00', '2026-07-07T13:00:00', 'background'],
      [ada.id, '2026-07-07T17:00:00', '2026-07-08T00:00:00', 'background'],
    ]);
    // A day off: the whole day shaded.
    const off = { ...working, doctors: [{ doctor_id: ada.id, restricted: true, days_off: [{ date: '2026-07-07', label: null }], working: [] }] };
    expect(offHours(sheet, off).map((e) => [e.start, e.end])).toEqual([['2026-07-07T00:00:00', '2026-07-08T00:00:00']]);
    expect(offHours(sheet, null)).toEqual([]);

    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-07-06T15:20:00Z'));
    const calendar = new ScheduleCalendar(document.createElement('div'), 'America/Toronto', 'en-CA', {
      onSelectSlot: () => undefined, onOpenAppointment: () => undefined, onError: () => undefined, onMoved: () => undefined,
    });
    calendar.show(sheet, 'day', working);
    expect(widget.options.scrollTime).toBe('08:00');
    const shaded = (widget.options.events as (Event & { display?: string })[]).filter((e) => e.display === 'background');
    expect(shaded.map((e) => e.classNames)).toEqual([['off-hours'], ['off-hours'], ['off-hours']]);
    vi.useRealTimers();
  });
});

describe('days off', () => {
  it("says \"Day off\" in the doctor's column on their day off, and \"Clinic closed\" on a holiday, on that day only", async () => {
    const { offHours } = await import('./calendar');
    const week: DaySheet = { clinic_name: 'Maple Clinic', tz: 'America/Toronto', date: '2026-07-06', days: 3, doctors: [ada, ben], appointments: [], busy: [], may_book: true };
    const working = {
      tz: 'America/Toronto', first: '2026-07-06', days: 3,
      clinic: { restricted: true, open: [], opens_at_minute: null, holidays: [{ date: '2026-07-08', label: null }] },
      doctors: [
        { doctor_id: ada.id, restricted: true, days_off: [{ date: '2026-07-07', label: 'Conference' }], working: [
          { start: '2026-07-06T13:00:00Z', end: '2026-07-06T21:00:00Z' }, // Monday 09:00–17:00
        ] },
        { doctor_id: ben.id, restricted: true, days_off: [], working: [
          { start: '2026-07-06T13:00:00Z', end: '2026-07-06T21:00:00Z' },
          { start: '2026-07-07T13:00:00Z', end: '2026-07-07T21:00:00Z' },
        ] },
      ],
    };
    const shades = offHours(week, working).map((e) => [e.resourceIds[0], e.start, e.end, e.title ?? null]);
    expect(shades).toEqual([
      [ada.id, '2026-07-06T00:00:00', '2026-07-06T09:00:00', null],
      [ada.id, '2026-07-06T17:00:00', '2026-07-07T00:00:00', null],
      [ada.id, '2026-07-07T00:00:00', '2026-07-08T00:00:00', 'Day off: Conference'],
      [ada.id, '2026-07-08T00:00:00', '2026-07-09T00:00:00', 'Clinic closed'],
      [ben.id, '2026-07-06T00:00:00', '2026-07-06T09:00:00', null],
      [ben.id, '2026-07-06T17:00:00', '2026-07-07T09:00:00', null],
      [ben.id, '2026-07-07T17:00:00', '2026-07-08T00:00:00', null],
      [ben.id, '2026-07-08T00:00:00', '2026-07-09T00:00:00', 'Clinic closed'],
    ]);

    const calendar = new ScheduleCalendar(document.createElement('div'), 'America/Toronto', 'en-CA', {
      onSelectSlot: () => undefined, onOpenAppointment: () => undefined, onError: () => undefined, onMoved: () => undefined,
    });
    calendar.show(week, 'week', working);
    const events = widget.options.events as { title: string; classNames: string[]; display?: string }[];
    const off = events.filter((e) => e.classNames.includes('day-off'));
    expect(off.map((e) => e.title)).toEqual(['Day off: Conference', 'Clinic closed', 'Clinic closed']);
    const content = widget.options.eventContent as (info: unknown) => { domNodes: Node[] };
    const said = content({ event: { display: 'background', title: 'Day off: Conference' }, timeText: '' }).domNodes.map((n) => n.textContent);
    expect(said).toEqual(['Day off: Conference']);
    expect(content({ event: { display: 'background', title: '' }, timeText: '' }).domNodes).toEqual([]);
  });
});

describe('a drop the rules refuse', () => {
  const settle = async () => { for (let i = 0; i < 6; i++) await new Promise((r) => setTimeout(r, 0)); };

  async function drop(answers: unknown[]) {
    const { recordingBackend } = await import('./testing');
    const calls = recordingBackend((cmd) => {
      if (cmd !== 'move_appointment') return null;
      const next = answers.shift();
      if (next) throw next;
      return { id: 7 };
    });
    const root = document.createElement('div');
    document.body.replaceChildren(root);
    const moved = vi.fn();
    const errors: string[] = [];
    const calendar = new ScheduleCalendar(root, 'America/Toronto', 'en-CA', {
      onSelectSlot: () => undefined, onOpenAppointment: () => undefined, onError: (m) => errors.push(m), onMoved: moved,
    });
    calendar.show({ clinic_name: 'Maple Clinic', tz: 'America/Toronto', date: '2026-07-06', days: 1, doctors: [ada], appointments: [own], busy: [], may_book: true }, 'day');
    const revert = vi.fn();
    const onDrop = widget.options.eventDrop as (info: unknown) => void;
    onDrop({ event: { id: '7', start: new Date(2026, 6, 6, 10, 0) }, revert, oldResource: { id: 3 }, newResource: { id: 3 } });
    await settle();
    const moves = () => calls.filter((c) => c.cmd === 'move_appointment').map((c) => [c.args.allowOverlap, c.args.allowOutsideHours]);
    return { root, moved, errors, revert, moves };
  }

  it('offers Move anyway in place on a taken slot, and moves with the confirmation', async () => {
    const { root, moved, revert, moves } = await drop([{ kind: 'conflict', field: 'start', message: 'Dr Ada Lee already has a visit at 10:00' }]);
    const ask = root.querySelector('[role=alertdialog]') as HTMLElement;
    expect(ask.textContent).toContain('already has a visit at 10:00');
    expect(document.activeElement?.id).toBe('move-anyway');
    expect(document.activeElement?.textContent).toBe('Move anyway (double booking)');
    (document.getElementById('move-anyway') as HTMLButtonElement).click();
    await settle();
    expect(moves()).toEqual([[false, false], [true, false]]);
    expect([moved.mock.calls.length, revert.mock.calls.length]).toEqual([1, 0]);
    expect(root.querySelector('[role=alertdialog]')).toBeNull();
  });

  it('asks again for the hours after the overlap, and puts the visit back when told to keep it', async () => {
    const { moved, revert, moves, errors } = await drop([
      { kind: 'conflict', field: 'start', message: 'taken' },
      { kind: 'outside_hours', field: 'start', message: 'Dr Ada Lee does not work at 07:00' },
    ]);
    (document.getElementById('move-anyway') as HTMLButtonElement).click();
    await settle();
    expect(document.getElementById('move-anyway')?.textContent).toBe("Move anyway (outside the doctor's working hours)");
    (document.getElementById('move-keep') as HTMLButtonElement).click();
    await settle();
    expect(moves()).toEqual([[false, false], [true, false]]);
    expect([moved.mock.calls.length, revert.mock.calls.length, errors]).toEqual([0, 1, []]);
  });

  it('puts the visit back with the reason for any other refusal', async () => {
    const { revert, errors, root } = await drop([{ kind: 'validation', field: null, message: 'a completed visit cannot move' }]);
    expect(root.querySelector('[role=alertdialog]')).toBeNull();
    expect([revert.mock.calls.length, errors]).toEqual([1, ['a completed visit cannot move']]);
  });
});

