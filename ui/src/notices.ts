// What an admin is told once, right after signing in: the pauses, locks and unlocks of anyone's
// sign-in since their previous sign-in (the backend picks them), in a dialog they dismiss.
import type { SecurityNotice } from './ipc';
import { h } from './dom';
import { formatDate, formatTime, t, wallTime } from './messages';

/** "10:42" today, or "Monday, July 6, 2026 10:42" another day, in the clinic's zone. */
function when(at: string, tz: string, now: Date): string {
  const day = wallTime(at, tz).slice(0, 10);
  const today = wallTime(now.toISOString(), tz).slice(0, 10);
  return day === today ? formatTime(at, tz) : `${formatDate(day)} ${formatTime(at, tz)}`;
}

/** One notice in words. */
export function noticeInWords(n: SecurityNotice, tz: string, now: Date = new Date()): string {
  const vars = {
    name: n.staff_name,
    count: String(n.wrong_pins ?? ''),
    minutes: String(n.minutes ?? ''),
    by: n.by ?? '',
    when: when(n.at, tz, now),
  };
  if (n.event === 'paused') return t('notice.paused', vars);
  if (n.event === 'locked') return t('notice.locked', vars);
  return t('notice.unlocked', vars);
}

/** Shows the notices (nothing when there are none) until the admin dismisses them. */
export function showSecurityNotices(notices: SecurityNotice[], tz: string): void {
  if (notices.length === 0) return;
  const close = () => overlay.remove();
  const dismiss = h('button', { type: 'button', class: 'primary', id: 'notices-dismiss', onclick: close }, t('notice.dismiss'));
  const dialog = h('div', { class: 'dialog', role: 'alertdialog', 'aria-modal': 'true', 'aria-labelledby': 'notices-title' },
    h('h2', { id: 'notices-title' }, t('notice.title')),
    h('ul', { class: 'security-notices' }, ...notices.map((n) => h('li', { class: `notice-${n.event}` }, noticeInWords(n, tz)))),
    dismiss);
  dialog.addEventListener('keydown', (e) => { if (e.key === 'Escape') { e.stopPropagation(); close(); } });
  const overlay = h('div', { class: 'overlay notices-overlay' }, dialog);
  document.body.append(overlay);
  dismiss.focus();
}
