// The pager over the doctor columns: which page of doctors the calendar shows (paging.ts), kept
// from day to day and view to view, and the doctor a booking or a link is for brought into view.
import type { DaySheet } from './ipc';
import { h } from './dom';
import { t } from './messages';
import { pageInfo, pageOfDoctor, pageOfSheet, turnPage } from './paging';

export class DoctorPager {
  private label = h('span', { id: 'doctor-page', class: 'pager-label', 'aria-live': 'polite' });
  readonly element: HTMLElement;
  private page = 0;
  /** The doctor whose column the next sheet shown must show. */
  private wanted: number | null = null;

  /** `onTurn` turns the page (the buttons' ‹ and ›, as `[` and `]` do). */
  constructor(onTurn: (delta: number) => void) {
    this.element = h('div', { class: 'pager', id: 'doctor-pager', role: 'group', 'aria-label': t('cal.doctors'), hidden: true },
      h('button', { type: 'button', id: 'doctors-prev', 'aria-label': t('cal.prevDoctors'), 'aria-keyshortcuts': '[', title: `${t('cal.prevDoctors')} ([)`, onclick: () => onTurn(-1) }, '‹'),
      this.label,
      h('button', { type: 'button', id: 'doctors-next', 'aria-label': t('cal.nextDoctors'), 'aria-keyshortcuts': ']', title: `${t('cal.nextDoctors')} (])`, onclick: () => onTurn(1) }, '›'));
  }

  /** The next sheet shown opens on the page of this doctor (a booking, a link). */
  want(doctorId: number): void {
    this.wanted = doctorId;
  }

  /** The next (`1`) or previous (`-1`) page of `total` doctors, round from the last to the first. */
  turn(delta: number, total: number): void {
    this.page = turnPage(this.page, delta, total);
  }

  /**
   * The page of `sheet` to show: the wanted doctor's, or the current one (kept in range). Says in
   * the pager which doctors those are, among how many.
   */
  show(sheet: DaySheet): DaySheet {
    const total = sheet.doctors.length;
    const wanted = this.wanted === null ? null : pageOfDoctor(sheet.doctors, this.wanted);
    this.wanted = null;
    const info = pageInfo(wanted ?? this.page, total);
    this.page = info.page;
    this.element.hidden = info.pages === 1;
    const label = t('cal.doctorsPage', { first: String(info.first), last: String(info.last), total: String(total) });
    // Unchanged text is left alone: rewriting it would make a screen reader repeat it.
    if (this.label.textContent !== label) this.label.textContent = label;
    return this.current(sheet);
  }

  /** The page of `sheet` shown now. */
  current(sheet: DaySheet): DaySheet {
    return pageOfSheet(sheet, this.page);
  }
}
