// The visual language of an appointment's status: a mark (a shape) beside each look, so that no
// status is told by colour alone, and the legend under the calendar that names them.
import type { Status } from './ipc';
import { h } from './dom';
import { t, tk } from './messages';

/**
 * Each status's mark on a calendar block and in the legend: a shape as well as a colour, so that
 * no status is told by colour alone (booked, the usual state, has none).
 */
export const STATUS_MARKS: Record<Status, string> = {
  booked: '',
  'checked-in': '●',
  'in-progress': '▶',
  completed: '✓',
  'no-show': '⊘',
  cancelled: '✕',
};

/** The status mark of `status` (empty for booked), hidden from screen readers: the words are in the block's label. */
export function statusMark(status: Status): HTMLElement | string {
  const mark = STATUS_MARKS[status];
  return mark ? h('span', { class: `status-mark status-${status}`, 'aria-hidden': 'true' }, mark) : '';
}

/** The legend under the calendar: every status's mark and look, in words. */
export function statusLegend(): HTMLElement {
  const order: Status[] = ['booked', 'checked-in', 'in-progress', 'completed', 'no-show', 'cancelled'];
  return h('ul', { class: 'legend', 'aria-label': t('cal.legend') }, ...order.map((s) => h('li', {},
    h('span', { class: `legend-swatch status-${s}`, 'aria-hidden': 'true' }, STATUS_MARKS[s]), tk(`status.${s}`))));
}
