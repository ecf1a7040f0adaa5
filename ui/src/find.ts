// Find (`/`): one search box over patients and their visits, answering as the desk types. The
// backend says what matches and what the signed-in person may see; this draws the list, moves
// through it with the arrow keys, and opens a visit in the calendar or a patient's record.
import { asAppError, ipc } from './ipc';
import type { Found, FoundPatient, Visit } from './ipc';
import { h, trapFocus } from './dom';
import { formatDate, formatTime, t, tk, wallTime } from './messages';


export interface FindHooks {
  /** The clinic's zone: visits are shown at the calendar's times. */
  tz: () => string;
  /** Shows a visit in the calendar: its day, its doctor's page, its panel. */
  openVisit: (id: number) => Promise<void>;
  /** Opens a patient's record (the Patients screen). */
  openPatient: (id: number) => Promise<void>;
}

/** A visit in one line: its day and time (in `tz`), type, doctor and status. */
export function visitText(v: Visit, tz: string): string {
  const day = formatDate(wallTime(v.start, tz).slice(0, 10));
  return `${day} · ${formatTime(v.start, tz)} · ${v.type_name} · ${v.doctor_name} · ${tk(`status.${v.status}`)}`;
}

type Choice = { kind: 'patient' | 'visit'; id: number };

/** Opens the Find dialog (or brings its box forward when it is open). */
export function openFind(hooks: FindHooks): void {
  const open = document.getElementById('find-input');
  if (open) { open.focus(); return; }
  const back = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const input = h('input', {
    id: 'find-input', type: 'search', role: 'combobox', autocomplete: 'off', spellcheck: 'false',
    'aria-expanded': 'false', 'aria-controls': 'find-results', 'aria-autocomplete': 'list',
    'aria-describedby': 'find-status', 'aria-label': t('find.label'), placeholder: t('dir.searchHint'),
  });
  const list = h('div', { id: 'find-results', role: 'listbox', 'aria-label': t('find.results') });
  const status = h('p', { id: 'find-status', class: 'muted', role: 'status' });
  const dialog = h('div', { class: 'dialog find-dialog', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'find-title' },
    h('h2', { id: 'find-title' }, t('find.title')),
    input, status, list,
    h('p', { class: 'muted find-keys' }, t('find.keys')));
  const overlay = h('div', { class: 'overlay find-overlay' }, dialog);

  let choices: Choice[] = [];
  let active = -1;
  let waiting = false;
  let asked = 0;
  /** A search is being answered; `again`: the text changed meanwhile, ask once more after it. */
  let busy = false;
  let again = false;

  const close = (restore: boolean) => {
    overlay.remove();
    if (restore && back?.isConnected) back.focus();
  };
  const options = () => [...list.querySelectorAll<HTMLElement>('[role="option"]')];
  const activate = (index: number) => {
    const all = options();
    active = all.length ? Math.max(0, Math.min(index, all.length - 1)) : -1;
    all.forEach((o, i) => o.setAttribute('aria-selected', String(i === active)));
    const current = all[active];
    if (current) {
      input.setAttribute('aria-activedescendant', current.id);
      current.scrollIntoView?.({ block: 'nearest' });
    } else {
      input.removeAttribute('aria-activedescendant');
    }
  };
  const choose = async (choice: Choice | undefined) => {
    if (!choice) return;
    close(true);
    if (choice.kind === 'visit') await hooks.openVisit(choice.id); else await hooks.openPatient(choice.id);
  };

  const show = (found: Found) => {
    choices = [];
    const option = (choice: Choice, ...content: (Node | string)[]) => {
      const index = choices.push(choice) - 1;
      return h('div', {
        role: 'option', id: `find-option-${index}`, class: `find-option find-${choice.kind}`, 'aria-selected': 'false',
        'data-kind': choice.kind, 'data-id': choice.id,
        onmousedown: (e: Event) => e.preventDefault(), // the box keeps focus
        onclick: () => void choose(choice),
      }, ...content);
    };
    const visit = (label: 'find.next' | 'find.last', v: Visit | null) =>
      v ? option({ kind: 'visit', id: v.id }, h('span', { class: 'find-when' }, t(label)), ' ', visitText(v, hooks.tz())) : null;
    const patient = (p: FoundPatient) => {
      // The date of birth as the Patients screen lists it (and as it is typed to find it).
      const facts = [p.date_of_birth ?? '', p.phone ?? '', p.email ?? ''].filter(Boolean).join(' · ');
      return h('div', { role: 'group', 'aria-label': p.full_name, class: 'find-group' },
        option({ kind: 'patient', id: p.id }, h('strong', {}, p.full_name), ' ', h('span', { class: 'muted' }, facts),
          !p.next && !p.last ? h('span', { class: 'muted' }, ` · ${t('find.noVisits')}`) : ''),
        visit('find.next', p.next), visit('find.last', p.last));
    };
    list.replaceChildren(...found.patients.map(patient));
    const count = found.patients.length;
    status.textContent = count === 0 ? t('find.none')
      : found.more ? t('find.more', { count: String(count) })
        : count === 1 ? t('find.one') : t('find.many', { count: String(count) });
    input.setAttribute('aria-expanded', String(count > 0));
    activate(0);
  };

  const search = async () => {
    waiting = false;
    const text = input.value.trim();
    const mine = ++asked;
    if (!text) {
      list.replaceChildren();
      status.textContent = '';
      input.setAttribute('aria-expanded', 'false');
      activate(-1);
      return;
    }
    try {
      const found = await ipc.find(text);
      if (mine === asked && overlay.isConnected) show(found);
    } catch (e) {
      if (mine === asked && overlay.isConnected) status.textContent = asAppError(e).message;
    }
  };

  // Each letter asks at once, one search at a time: letters typed while one is answered are
  // asked together when it is (the list follows the typing without a pause, and a fast typist
  // never queues searches that are already out of date).
  const ask = async () => {
    if (busy) { again = true; return; }
    busy = true;
    try {
      await search();
    } finally {
      busy = false;
    }
    if (again && overlay.isConnected) { again = false; await ask(); }
  };
  input.addEventListener('input', () => {
    waiting = true;
    void ask();
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      activate(active + (e.key === 'ArrowDown' ? 1 : -1));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      // Enter typed before the last letter's answer: search for what is typed now, then open its first answer.
      if (waiting) {
        void search().then(() => choose(choices[active]));
      } else {
        void choose(choices[active]);
      }
    }
  });
  // Escape closes Find only (not the calendar's panel behind it), and focus goes back.
  dialog.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape') return;
    e.preventDefault();
    e.stopPropagation();
    close(true);
  });
  overlay.addEventListener('click', (e) => { if (e.target === overlay) close(true); });
  trapFocus(dialog);
  document.body.append(overlay);
  input.focus();
}
