// The pager over the doctor columns: which page of doctors the calendar shows (paging.ts), kept
// from day to day and view to view, and the doctor a booking or a link is for brought into view.
// The week view shows one doctor's week at a time (seven columns that keep names and times
// readable), chosen in a list of the doctors.
import type { DaySheet } from './ipc';
import { h } from './dom';
import { t } from './messages';
import { DOCTORS_PER_PAGE, pageInfo, pageOfDoctor, pageOfSheet, turnPage } from './paging';

export class DoctorPager {
  private label = h('span', { id: 'doctor-page', class: 'pager-label', 'aria-live': 'polite' });
  readonly element: HTMLElement;
  /** In the week view, the doctor whose week is shown. */
  private picker = h('select', { id: 'doctor-pick', 'aria-label': t('cal.doctor'), hidden: true });
  private page = 0;
  /** Doctors per page: a page of columns in the day view, one doctor in the week view. */
  private size = DOCTORS_PER_PAGE;
  /** The doctor whose column the next sheet shown must show. */
  private wanted: number | null = null;

  /**
   * `onTurn` turns the page (the buttons' ‹ and ›, as `[` and `]` do); `onPick` shows the week of
   * the doctor picked in the list.
   */
  constructor(onTurn: (delta: number) => void, onPick: () => void = () => undefined) {
    this.picker.addEventListener('change', () => {
      this.page = Number(this.picker.value);
      onPick();
    });
    this.element = h('div', { class: 'pager', id: 'doctor-pager', role: 'group', 'aria-label': t('cal.doctors'), hidden: true },
      h('button', { type: 'button', id: 'doctors-prev', 'aria-label': t('cal.prevDoctors'), 'aria-keyshortcuts': '[', title: `${t('cal.prevDoctors')} ([)`, onclick: () => onTurn(-1) }, '‹'),
      this.label,
      this.picker,
      h('button', { type: 'button', id: 'doctors-next', 'aria-label': t('cal.nextDoctors'), 'aria-keyshortcuts': ']', title: `${t('cal.nextDoctors')} (])`, onclick: () => onTurn(1) }, '›'));
  }

  /** Pages of `size` doctors from now on, starting with the first doctor shown now. */
  resize(size: number): void {
    this.page = Math.floor((this.page * this.size) / size);
    this.size = size;
  }

  /** The next sheet shown opens on the page of this doctor (a booking, a link). */
  want(doctorId: number): void {
    this.wanted = doctorId;
  }

  /** The next (`1`) or previous (`-1`) page of `total` doctors, round from the last to the first. */
  turn(delta: number, total: number): void {
    this.page = turnPage(this.page, delta, total, this.size);
  }

  /**
   * The page of `sheet` to show: the wanted doctor's, or the current one (kept in range). Says in
   * the pager which doctors those are, among how many.
   */
  show(sheet: DaySheet): DaySheet {
    const total = sheet.doctors.length;
    const wanted = this.wanted === null ? null : pageOfDoctor(sheet.doctors, this.wanted, this.size);
    this.wanted = null;
    const info = pageInfo(wanted ?? this.page, total, this.size);
    this.page = info.page;
    this.element.hidden = info.pages === 1;
    const one = this.size === 1;
    this.picker.hidden = !one;
    this.label.hidden = one;
    // A week's doctor is picked in the list ([ and ] still step through them).
    this.element.querySelectorAll<HTMLElement>('#doctors-prev, #doctors-next').forEach((b) => { b.hidden = one; });
    if (one) {
      const names = sheet.doctors.map((d) => d.name);
      if ([...this.picker.options].map((o) => o.text).join('\n') !== names.join('\n')) {
        this.picker.replaceChildren(...sheet.doctors.map((d, i) => h('option', { value: String(i) }, d.name)));
      }
      this.picker.value = String(this.page);
    }
    const label = t('cal.doctorsPage', { first: String(info.first), last: String(info.last), total: String(total) });
    // Unchanged text is left alone: rewriting it would make a screen reader repeat it.
    if (this.label.textContent !== label) this.label.textContent = label;
    return this.current(sheet);
  }

  /** The page of `sheet` shown now. */
  current(sheet: DaySheet): DaySheet {
    return pageOfSheet(sheet, this.page, this.size);
  }
}
