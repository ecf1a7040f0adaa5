// @vitest-environment jsdom
// The calendar's own grid (ADR 0025): each visit a block in its doctor's column at its minutes,
// other doctors' visits (for a doctor under the clinic's minimum-necessary setting) as busy time
// with nothing to open or move, the clinic's now line, slots and drags.
import { describe, expect, it, vi } from 'vitest';
import type { BusyBlock, DaySheet, DaySheetRow, Staff } from './ipc';
import type { CalendarHandlers } from './calendar';

const { ScheduleCalendar, SLOT_PX, lanes } = await import('./calendar');

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
const day = (over: Partial<DaySheet> = {}): DaySheet => ({
  clinic_name: 'Maple Clinic', tz: 'America/Toronto', date: '2026-07-06', days: 1, doctors: [ada], appointments: [own], busy: [], may_book: true, ...over,
});

// The test process's environment (Node's), without Node's types in the UI's build.
const env = (globalThis as unknown as { process: { env: Record<string, string | undefined> } }).process.env;

/** A calendar in the document, with handlers that record what it asked for. */
function calendar(over: Partial<CalendarHandlers> = {}) {
  const root = document.createElement('div');
  document.body.replaceChildren(root);
  const asked = { slots: [] as unknown[], opened: [] as string[], errors: [] as string[], moved: [] as number[], toDoctor: [] as unknown[] };
  const cal = new ScheduleCalendar(root, 'America/Toronto', 'en-CA', {
    onSelectSlot: (slot) => asked.slots.push(slot),
    onOpenAppointment: (row) => asked.opened.push(row.patient_name),
    onError: (m) => asked.errors.push(m),
    onMoved: (id) => asked.moved.push(id),
    onMoveToDoctor: (row, slot) => asked.toDoctor.push([row.id, slot]),
    ...over,
  });
  return { root, cal, asked };
}

/** The columns laid out side by side, 100 px wide, their midnight at y = 0 (jsdom lays nothing out). */
function layOut(root: HTMLElement) {
  const scroller = root.querySelector('.cal-scroller') as HTMLElement;
  scroller.getBoundingClientRect = () => ({ left: 0, right: 1000, top: -1000, bottom: 4000, width: 1000, height: 5000, x: 0, y: -1000, toJSON: () => null });
  root.querySelectorAll<HTMLElement>('.cal-col').forEach((col, i) => {
    col.getBoundingClientRect = () => ({ left: 100 * i, right: 100 * (i + 1), top: 0, bottom: 96 * SLOT_PX, width: 100, height: 96 * SLOT_PX, x: 100 * i, y: 0, toJSON: () => null });
  });
}

/** A pointer event (jsdom has no PointerEvent): pressed on `target`, or moved and released on the window. */
function pointer(type: string, target: EventTarget, x: number, y: number) {
  const e = new MouseEvent(type, { bubbles: true, clientX: x, clientY: y, button: 0 });
  Object.defineProperty(e, 'pointerId', { value: 1 });
  target.dispatchEvent(e);
}

const top = (el: Element | null | undefined) => parseFloat((el as HTMLElement | null)?.style.top ?? 'NaN');
const minutes = (hh: number, mm = 0) => ((hh * 60 + mm) * SLOT_PX) / 15;

describe("the calendar's clock", () => {
  it("is the clinic's, not the computer's: its now line and today follow the clinic's zone and its DST", () => {
    const before = env.TZ;
    env.TZ = 'Asia/Tokyo'; // the desk's computer is set to Tokyo
    vi.useFakeTimers();
    try {
      expect(new Date('2026-07-06T12:00:00Z').getTimezoneOffset()).toBe(-540);
      vi.setSystemTime(new Date('2026-07-06T14:00:00Z')); // 10:00 in Toronto, 23:00 in Tokyo
      const { root, cal } = calendar();
      cal.show(day({ appointments: [] }), 'day');
      expect(top(root.querySelector('.now-line'))).toBe(minutes(10));
      // Tomorrow in Tokyo is not today at the clinic: no line on the 7th.
      cal.show(day({ date: '2026-07-07', appointments: [] }), 'day');
      expect(root.querySelector('.now-line')).toBeNull();
      // Toronto's clocks go back at 2:00 on 1 November while the desk is open: within a minute
      // the line is at 1:30, the clinic's time, not Tokyo's 15:30.
      vi.setSystemTime(new Date('2026-11-01T05:59:00Z'));
      cal.show(day({ date: '2026-11-01', appointments: [] }), 'day');
      expect(top(root.querySelector('.now-line'))).toBe(minutes(1, 59));
      vi.setSystemTime(new Date('2026-11-01T06:30:00Z'));
      vi.advanceTimersByTime(60_000);
      expect(top(root.querySelector('.now-line'))).toBe(minutes(1, 30) + SLOT_PX / 15);
    } finally {
      vi.useRealTimers();
      if (before === undefined) delete env.TZ; else env.TZ = before;
    }
  });
});

describe('what the calendar offers', () => {
  it("shows another doctor's visit as Busy in their column, which opens and moves nothing, and drags only for those who book", () => {
    const { root, cal, asked } = calendar();
    cal.show(day({ doctors: [ada, ben], busy: [busy], may_book: false }), 'day');
    const [adaCol, benCol] = root.querySelectorAll<HTMLElement>('.cal-col');
    expect([...root.querySelectorAll('.col-head')].map((c) => c.textContent)).toEqual(['Dr Ada Lee', 'Dr Ben Roy']);
    const visit = adaCol.querySelector('.visit') as HTMLElement;
    expect([visit.tagName, visit.className, top(visit), parseFloat(visit.style.height)])
      .toEqual(['BUTTON', 'visit status-booked mode-in-person', minutes(9, 30), 2 * SLOT_PX]);
    const held = benCol.querySelector('.visit') as HTMLElement;
    expect([held.tagName, held.className, held.textContent?.startsWith('Busy'), top(held)]).toEqual(['DIV', 'visit busy', true, minutes(10)]);
    held.click();
    expect(asked.opened).toEqual([]);
    visit.click();
    expect(asked.opened).toEqual(['Jane Doe']);
    // A doctor does not book or move: no empty slot to pick, nothing to drag.
    layOut(root);
    adaCol.dispatchEvent(new MouseEvent('click', { bubbles: true, clientY: minutes(11) + 5 }));
    expect(asked.slots).toEqual([]);
    expect(root.querySelectorAll('.movable, .bookable')).toHaveLength(0);

    // Those who book get both: a press on an empty slot books at its quarter hour.
    cal.show(day({ doctors: [ada, ben] }), 'day');
    layOut(root);
    expect(root.querySelectorAll('.visit.movable')).toHaveLength(1);
    root.querySelectorAll('.cal-col')[1].dispatchEvent(new MouseEvent('click', { bubbles: true, clientY: minutes(11, 15) + 5 }));
    expect(asked.slots).toEqual([{ date: '2026-07-06', time: '11:15', doctorId: ben.id }]);
  });

  it("puts the patient's name first on every block, with a status mark and the whole text as its tooltip", () => {
    const { root, cal } = calendar();
    cal.show(day({ doctors: [ada, ben], appointments: [{ ...own, status: 'checked-in', end: '2026-07-06T13:45:00Z', duration_minutes: 15 }], busy: [busy] }), 'day');
    const [block, other] = root.querySelectorAll<HTMLElement>('.visit');
    const line = block.querySelector('.event-line') as HTMLElement;
    expect(line.querySelector('.event-name')?.textContent).toBe('Jane Doe');
    expect(line.textContent).toBe('●Jane Doe 9:30–9:45 a.m.');
    expect(block.title).toBe('Jane Doe · 9:30–9:45 a.m. · Consult · Checked in');
    expect([other.textContent, other.title]).toEqual(['Busy 10:00–10:30 a.m.', 'Busy · 10:00–10:30 a.m.']);
  });

  it('marks the visit whose panel is open, now and when the day is drawn again', () => {
    const { root, cal } = calendar();
    cal.show(day({ appointments: [own, { ...own, id: 8, patient_name: 'Tom Nguyen' }] }), 'day');
    const open = () => [...root.querySelectorAll('.visit.open')].map((v) => [v.getAttribute('data-id'), v.getAttribute('aria-current')]);
    cal.markOpen(8);
    expect(open()).toEqual([['8', 'true']]);
    cal.show(day({ appointments: [own, { ...own, id: 8, patient_name: 'Tom Nguyen', status: 'checked-in' }] }), 'day');
    expect(open()).toEqual([['8', 'true']]);
    cal.markOpen(null);
    expect([open(), root.querySelectorAll('[aria-current]').length]).toEqual([[], 0]);
  });

  it('puts visits that overlap side by side, each in the first lane free at its start', () => {
    const spans: [number, number][] = [[540, 570], [540, 600], [570, 585], [600, 615], [700, 730]];
    const placed = lanes(spans, (s) => s);
    expect(spans.map((s) => { const p = placed.get(s); return [p?.lane, p?.lanes]; })).toEqual([[1, 2], [0, 2], [1, 2], [0, 1], [0, 1]]);
    const { root, cal } = calendar();
    cal.show(day({ appointments: [own, { ...own, id: 8, patient_name: 'Tom Nguyen' }] }), 'day');
    const widths = [...root.querySelectorAll<HTMLElement>('.visit')].map((v) => [v.style.left, v.style.width]);
    expect(widths).toEqual([['0%', '50%'], ['50%', '50%']]);
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
    const { root, cal } = calendar();
    const opens = () => (root.querySelector('.cal-scroller') as HTMLElement).dataset.opensAt;
    const scrolls = vi.spyOn(cal, 'scrollTo');
    cal.show(day(), 'day');
    expect(opens(), 'today opens at the hour before now').toBe('10:00');
    cal.show(day(), 'day');
    cal.show(day({ appointments: [{ ...own, status: 'checked-in' }] }), 'day');
    expect(scrolls, 'read again after a change: the scroll is left alone').toHaveBeenCalledTimes(1);
    cal.show(day({ date: '2026-07-07', appointments: [] }), 'day');
    expect(opens()).toBe('07:30');

    const booked = { ...own, id: 8, start: '2026-07-07T18:00:00Z', end: '2026-07-07T18:30:00Z' };
    cal.reveal(8);
    cal.show(day({ date: '2026-07-07', appointments: [booked] }), 'day');
    expect(opens()).toBe('13:00');
    const classes = () => root.querySelector('[data-id="8"]')?.className;
    expect(classes()).toContain('just-changed');
    vi.advanceTimersByTime(5000);
    expect(classes()).not.toContain('just-changed');
    cal.show(day({ date: '2026-07-07', appointments: [booked] }), 'day');
    expect(classes()).not.toContain('just-changed');
    expect(scrolls).toHaveBeenCalledTimes(3);
    vi.useRealTimers();
  });

  it("shows one doctor's week as a column a day, headed by the doctor and each day", () => {
    const { root, cal } = calendar();
    const monday = { ...own, id: 9, start: '2026-07-08T13:30:00Z', end: '2026-07-08T14:00:00Z', patient_name: 'Tom Nguyen' };
    cal.show(day({ days: 7, appointments: [own, monday] }), 'week');
    expect(root.querySelector('.doctor-head')?.textContent).toBe('Dr Ada Lee');
    expect([...root.querySelectorAll('.col-head')].map((c) => c.textContent)).toEqual(
      ['Mon, Jul 6', 'Tue, Jul 7', 'Wed, Jul 8', 'Thu, Jul 9', 'Fri, Jul 10', 'Sat, Jul 11', 'Sun, Jul 12']);
    const cols = [...root.querySelectorAll<HTMLElement>('.cal-col')];
    expect(cols.map((c) => c.querySelector('.event-name')?.textContent ?? null)).toEqual(['Jane Doe', null, 'Tom Nguyen', null, null, null, null]);
    expect(cols.map((c) => c.dataset.date)[2]).toBe('2026-07-08');
  });
});

describe('working hours', () => {
  it("shades each doctor's time outside their hours, nothing for a doctor with none, and opens another day at the clinic's opening", async () => {
    const { offHours } = await import('./calendar');
    const sheet = day({ date: '2026-07-07', doctors: [ada, ben], appointments: [] });
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
    expect(offHours(sheet, working).map((e) => [e.resourceIds[0], e.start, e.end])).toEqual([
      [ada.id, '2026-07-07T00:00:00', '2026-07-07T09:00:00'],
      [ada.id, '2026-07-07T12:00:00', '2026-07-07T13:00:00'],
      [ada.id, '2026-07-07T17:00:00', '2026-07-08T00:00:00'],
    ]);
    // A day off: the whole day shaded.
    const off = { ...working, doctors: [{ doctor_id: ada.id, restricted: true, days_off: [{ date: '2026-07-07', label: null }], working: [] }] };
    expect(offHours(sheet, off).map((e) => [e.start, e.end])).toEqual([['2026-07-07T00:00:00', '2026-07-08T00:00:00']]);
    expect(offHours(sheet, null)).toEqual([]);

    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-07-06T15:20:00Z'));
    const { root, cal } = calendar();
    cal.show(sheet, 'day', working);
    expect((root.querySelector('.cal-scroller') as HTMLElement).dataset.opensAt).toBe('08:00');
    const [adaCol, benCol] = root.querySelectorAll('.cal-col');
    expect([...adaCol.querySelectorAll<HTMLElement>('.shade.off-hours')].map((e) => [top(e), parseFloat(e.style.height)]))
      .toEqual([[0, minutes(9)], [minutes(12), minutes(1)], [minutes(17), minutes(7)]]);
    expect(benCol.querySelectorAll('.shade')).toHaveLength(0);
    vi.useRealTimers();
  });
});

describe('days off', () => {
  it("says \"Day off\" in the doctor's column on their day off, and \"Clinic closed\" on a holiday, on that day only", async () => {
    const { offHours } = await import('./calendar');
    const week = day({ days: 3, doctors: [ada, ben], appointments: [] });
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

    const { root, cal } = calendar();
    cal.show(week, 'week', working);
    // Two doctors' weeks of three days: the words sit in their own day's column only.
    const said = [...root.querySelectorAll<HTMLElement>('.cal-col')].map((c) => [c.dataset.doctor, c.dataset.date, c.querySelector('.off-label')?.textContent ?? null]);
    expect(said).toEqual([
      ['3', '2026-07-06', null], ['3', '2026-07-07', 'Day off: Conference'], ['3', '2026-07-08', 'Clinic closed'],
      ['4', '2026-07-06', null], ['4', '2026-07-07', null], ['4', '2026-07-08', 'Clinic closed'],
    ]);
    // Ben's evening shade runs past midnight: it is cut at each column's day.
    const benMonday = root.querySelectorAll('.cal-col')[3];
    expect([...benMonday.querySelectorAll<HTMLElement>('.shade')].map((e) => [top(e), parseFloat(e.style.height)]))
      .toEqual([[0, minutes(9)], [minutes(17), minutes(7)]]);
  });
});

describe('dragging a visit', () => {
  const settle = async () => { for (let i = 0; i < 6; i++) await new Promise((r) => setTimeout(r, 0)); };

  /** Drags Jane Doe's 9:30 visit by `dy` pixels down and `dx` across, answering moves with `answers`. */
  async function drag(answers: unknown[], dy = 2 * SLOT_PX, dx = 0) {
    const { recordingBackend } = await import('./testing');
    const calls = recordingBackend((cmd) => {
      if (cmd !== 'move_appointment') return null;
      const next = answers.shift();
      if (next) throw next;
      return { id: 7 };
    });
    const { root, cal, asked } = calendar();
    cal.show(day({ doctors: [ada, ben] }), 'day');
    layOut(root);
    const visit = root.querySelector('[data-id="7"]') as HTMLElement;
    const y = minutes(9, 30) + 10;
    pointer('pointerdown', visit, 50, y);
    pointer('pointermove', window, 50 + dx / 2, y + dy / 2);
    const preview = root.querySelector('.drag-preview') as HTMLElement | null;
    pointer('pointermove', window, 50 + dx, y + dy);
    const shown = preview ? [top(preview), preview.querySelector('.event-time')?.textContent, preview.parentElement?.getAttribute('data-doctor')] : null;
    pointer('pointerup', window, 50 + dx, y + dy);
    visit.click(); // the click a release makes opens nothing after a drag
    await settle();
    const moves = () => calls.filter((c) => c.cmd === 'move_appointment').map((c) => [(c.args.start as { at: string }).at, c.args.allowOverlap, c.args.allowOutsideHours]);
    return { root, asked, moves, shown, visit };
  }

  it('moves by whole quarter hours, its preview saying the new time, and opens nothing on release', async () => {
    const { moves, shown, asked, root } = await drag([], 2 * SLOT_PX + 5);
    expect(shown).toEqual([minutes(10), '10:00 a.m.–10:30 a.m.', '3']);
    expect(moves()).toEqual([['2026-07-06T10:00', false, false]]);
    expect([asked.moved, asked.opened]).toEqual([[7], []]);
    expect(root.querySelector('.move-confirm')).toBeNull();
  });

  it('offers Move anyway in place on a taken slot, and moves with the confirmation', async () => {
    const { root, asked, moves } = await drag([{ kind: 'conflict', field: 'start', message: 'Dr Ada Lee already has a visit at 10:00' }]);
    const ask = root.querySelector('[role=alertdialog]') as HTMLElement;
    expect(ask.textContent).toContain('already has a visit at 10:00');
    expect(document.activeElement?.id).toBe('move-anyway');
    expect(document.activeElement?.textContent).toBe('Move anyway (double booking)');
    (document.getElementById('move-anyway') as HTMLButtonElement).click();
    await settle();
    expect(moves()).toEqual([['2026-07-06T10:00', false, false], ['2026-07-06T10:00', true, false]]);
    expect(asked.moved).toEqual([7]);
    expect(root.querySelector('[role=alertdialog]')).toBeNull();
  });

  it('asks again for the hours after the overlap, and puts the visit back when told to keep it', async () => {
    const { root, asked, moves, visit } = await drag([
      { kind: 'conflict', field: 'start', message: 'taken' },
      { kind: 'outside_hours', field: 'start', message: 'Dr Ada Lee does not work at 07:00' },
    ]);
    (document.getElementById('move-anyway') as HTMLButtonElement).click();
    await settle();
    expect(document.getElementById('move-anyway')?.textContent).toBe("Move anyway (outside the doctor's working hours)");
    (document.getElementById('move-keep') as HTMLButtonElement).click();
    await settle();
    expect(moves()).toEqual([['2026-07-06T10:00', false, false], ['2026-07-06T10:00', true, false]]);
    expect([asked.moved, asked.errors]).toEqual([[], []]);
    // Back where it was: no preview, the visit itself at 9:30 as before.
    expect([root.querySelector('.drag-preview'), visit.classList.contains('drag-source'), top(visit)]).toEqual([null, false, minutes(9, 30)]);
  });

  it('puts the visit back with the reason for any other refusal', async () => {
    const { asked, root } = await drag([{ kind: 'validation', field: null, message: 'a completed visit cannot move' }]);
    expect(root.querySelector('[role=alertdialog]')).toBeNull();
    expect([root.querySelector('.drag-preview'), asked.errors]).toEqual([null, ['a completed visit cannot move']]);
  });

  it("opens the reschedule on the other doctor when dropped in their column, and moves nothing itself", async () => {
    const { asked, moves } = await drag([], 4 * SLOT_PX, 100);
    expect(moves()).toEqual([]);
    expect(asked.toDoctor).toEqual([[7, { date: '2026-07-06', time: '10:30', doctorId: ben.id }]]);
  });

  it('puts the visit back on Escape, and a press that does not travel is a click that opens it', async () => {
    const { root, cal, asked } = calendar();
    cal.show(day(), 'day');
    layOut(root);
    const visit = root.querySelector('[data-id="7"]') as HTMLElement;
    pointer('pointerdown', visit, 50, 300);
    pointer('pointermove', window, 50, 360);
    expect(root.querySelector('.drag-preview')).not.toBeNull();
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
    expect([root.querySelector('.drag-preview'), asked.moved]).toEqual([null, []]);
    pointer('pointerdown', visit, 50, 300);
    pointer('pointermove', window, 52, 301);
    pointer('pointerup', window, 52, 301);
    visit.click();
    expect(asked.opened).toEqual(['Jane Doe']);
  });
});
