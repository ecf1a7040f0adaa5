// Days and clock times as people type them at the desk: "tomorrow", "fri", "12/8", "dec 8",
// "+3"; "14", "2pm", "14:30", "930". Each field shows its value back in the clinic's locale
// ("Tue, Dec 8, 2026", "2:00 p.m."), and the parsers read that form too. A field moves on by
// itself only when what was typed cannot go on to mean something else ("tomorrow", "14:30",
// "2pm"), so no keystroke meant for it lands in the next field.
import { formatClock, localeTag } from './messages';
import { h } from './dom';

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

/** `YYYY-MM-DD` plus `n` days. */
export function addDays(date: string, n: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

function iso(y: number, m: number, d: number): string | null {
  if (!Number.isInteger(y) || y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1 || d > 31) return null;
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCMonth() !== m - 1) return null; // 31 November
  return date.toISOString().slice(0, 10);
}

function weekday(date: string): number {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
}

/** The one name in `names` that `word` starts (at least two letters), as its index. */
function byPrefix(names: string[], word: string): number | null {
  if (word.length < 2) return null;
  const found = names.map((n, i) => [n, i] as const).filter(([n]) => n.startsWith(word));
  return found.length === 1 ? found[0][1] : null;
}

/** In which order the clinic's locale writes a numeric date: "mdy", "dmy" or "ymd". */
function numericOrder(): string {
  const parts = new Intl.DateTimeFormat(localeTag(), { year: 'numeric', month: 'numeric', day: 'numeric', timeZone: 'UTC' })
    .formatToParts(new Date(Date.UTC(2026, 11, 8)));
  return parts.filter((p) => p.type === 'year' || p.type === 'month' || p.type === 'day').map((p) => p.type[0]).join('');
}

/** A year given with a day and month: as written, or the next time that day comes after `today`. */
function withYear(today: string, m: number, d: number, year?: string): string | null {
  if (year) return iso(year.length === 2 ? 2000 + Number(year) : Number(year), m, d);
  const y = Number(today.slice(0, 4));
  const date = iso(y, m, d);
  return date && date < today ? iso(y + 1, m, d) : date;
}

/**
 * The day `text` means, as `YYYY-MM-DD`, seen from `today`; null when it means none. A weekday is
 * the next one from today (today itself included).
 */
export function parseDay(text: string, today: string): string | null {
  const s = text.trim().toLowerCase().replace(/[.,]/g, ' ').replace(/\s+/g, ' ').trim();
  if (!s) return null;
  if (s === 'tod' || 'today'.startsWith(s) && s.length >= 3) return today;
  if ((s.length >= 3 && 'tomorrow'.startsWith(s)) || s === 'tmr') return addDays(today, 1);
  let m = /^\+(\d{1,3})$/.exec(s);
  if (m) return addDays(today, Number(m[1]));
  m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s);
  if (m) return iso(Number(m[1]), Number(m[2]), Number(m[3]));
  m = /^(\d{1,4})[/-](\d{1,2})(?:[/-](\d{2}|\d{4}))?$/.exec(s);
  if (m) {
    const order = numericOrder();
    if (order === 'ymd' && m[1].length === 4) return iso(Number(m[1]), Number(m[2]), Number(m[3] ?? 'x'));
    const [mo, d] = order === 'dmy' ? [Number(m[2]), Number(m[1])] : [Number(m[1]), Number(m[2])];
    return withYear(today, mo, d, m[3]);
  }
  const words = s.split(' ');
  // A weekday alone; or before a month-and-day, where it is only read as a check.
  const day = byPrefix(WEEKDAYS, words[0]);
  if (words.length === 1 && day !== null) return addDays(today, (day - weekday(today) + 7) % 7);
  const rest = day !== null ? words.slice(1) : words;
  // "dec 8", "8 dec", "december 8 2026", "8 december 2026"
  const monthAt = rest.findIndex((w) => byPrefix(MONTHS, w.length >= 3 ? w : '') !== null);
  if (monthAt < 0) return null;
  const month = (byPrefix(MONTHS, rest[monthAt]) ?? 0) + 1;
  const numbers = rest.filter((_, i) => i !== monthAt);
  if (numbers.length < 1 || numbers.length > 2 || !numbers.every((n) => /^\d+$/.test(n))) return null;
  const date = withYear(today, month, Number(numbers[0]), numbers[1]);
  if (date && day !== null && weekday(date) !== day) return null; // "Mon, Dec 8" when the 8th is a Tuesday
  return date;
}

/** Whether a day typed so far is finished: nothing more typed could change what it means. */
export function dayIsComplete(text: string): boolean {
  const s = text.trim().toLowerCase();
  return s === 'today' || s === 'tomorrow' || WEEKDAYS.includes(s) || /^\d{4}-\d{2}-\d{2}$/.test(s) ||
    /^\d{1,2}[/-]\d{1,2}[/-]\d{4}$/.test(s);
}

/** "Tue, Dec 8, 2026": how a day field shows its day. */
export function showDay(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Intl.DateTimeFormat(localeTag(), { weekday: 'short', month: 'short', day: 'numeric', year: 'numeric', timeZone: 'UTC' })
    .format(new Date(Date.UTC(y, m - 1, d)));
}

/** Whether the clinic's locale writes times on a 12-hour clock. */
export function twelveHour(): boolean {
  const cycle = new Intl.DateTimeFormat(localeTag(), { hour: 'numeric' }).resolvedOptions().hourCycle;
  return cycle === 'h12' || cycle === 'h11';
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * The clock time `text` means, as `HH:MM` (24-hour); null when none. "2pm", "2:30 p.m.", "14",
 * "1430", "14:30", "noon". On a 12-hour clinic a bare 1 to 6 is the afternoon (a clinic's day),
 * 7 to 11 the morning.
 */
export function parseClock(text: string): string | null {
  const s = text.trim().toLowerCase().replace(/\s+/g, '').replace(/\./g, '');
  if (!s) return null;
  if (s === 'noon' || s === 'midday') return '12:00';
  const m = /^(\d{1,2})(?::?(\d{2}))?(a|am|p|pm)?$/.exec(s);
  if (!m) return null;
  let hour = Number(m[1]);
  const minute = Number(m[2] ?? '0');
  if (minute > 59) return null;
  const marker = m[3]?.[0];
  if (marker) {
    if (hour < 1 || hour > 12) return null;
    hour = (hour % 12) + (marker === 'p' ? 12 : 0);
  } else if (hour > 23) {
    return null;
  } else if (twelveHour() && m[1].length === 1 && hour >= 1 && hour <= 6) {
    hour += 12;
  }
  return `${pad(hour)}:${pad(minute)}`;
}

/** Whether a time typed so far is finished ("14:30", "1430", "2pm"; not "14", which may go on). */
export function clockIsComplete(text: string): boolean {
  const s = text.trim().toLowerCase().replace(/\s+/g, '').replace(/\./g, '');
  if (/^\d{1,2}(:\d{2})?(am|pm)$/.test(s)) return true;
  return !twelveHour() && /^\d{1,2}:\d{2}$|^\d{4}$/.test(s) && parseClock(s) !== null;
}

/** "2:00 p.m." or "14:00": how a time field shows `HH:MM`. */
export function showClock(clock: string): string {
  return formatClock(clock);
}

/**
 * Makes `input` a searchable picker of time zones (the browser's list as one types), `first`
 * (the clinic's) at the top; the core still checks what is typed.
 */
export function pickZone(input: HTMLInputElement, first: string): void {
  const id = `${input.id}-zones`;
  const all = (Intl as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.('timeZone') ?? [];
  input.setAttribute('list', id);
  input.setAttribute('autocomplete', 'off');
  input.after(h('datalist', { id }, ...[first, ...all.filter((z) => z !== first)].map((z) => h('option', { value: z }))));
}

/** `HH:MM` moved by `minutes`, kept within the day. */
export function addMinutes(clock: string, minutes: number): string {
  const [hh, mm] = clock.split(':').map(Number);
  const total = Math.min(Math.max(hh * 60 + mm + minutes, 0), 23 * 60 + 55);
  return `${pad(Math.floor(total / 60))}:${pad(total % 60)}`;
}
