// The patient e-mail's words on the admin's Settings screen: one text box per text in the chosen
// language, each saved or reset on its own. A refused text keeps what was typed and says why
// beside it. The preview below follows the typing (unsaved texts included), filled in by the
// backend with sample facts. The backend checks the role and the texts; this only shows them.
import { asAppError, ipc } from './ipc';
import type { Clinic, Language, MailKind, MailTemplate, TextDraft } from './ipc';
import { h } from './dom';
import { formatDate, t, tk, wallTime } from './messages';

const LANGUAGES: Language[] = ['en', 'fr', 'es'];
const KINDS: MailKind[] = ['new', 'moved', 'cancelled'];
/** How long typing pauses before the preview is asked for again. */
const PREVIEW_DELAY_MS = 300;

/** The e-mails' language for a locale, as the backend picks it: fr-CA → fr, es-MX → es, else en. */
export function languageOf(locale: string): Language {
  const code = locale.split(/[-_]/)[0].toLowerCase();
  return code === 'fr' || code === 'es' ? code : 'en';
}

/** One text's row: what is saved, and the controls that show and change it. */
type Row = {
  saved: MailTemplate;
  box: HTMLTextAreaElement;
  state: HTMLElement;
  error: HTMLElement;
  done: HTMLElement;
  reset: HTMLButtonElement;
};

export async function renderMailTexts(clinic: Clinic): Promise<HTMLElement> {
  const language = h('select', { id: 'mt-language' },
    ...LANGUAGES.map((l) => h('option', { value: l, selected: l === languageOf(clinic.locale) }, tk(`mt.lang.${l}`))));
  const kind = h('select', { id: 'mt-kind' }, ...KINDS.map((k) => h('option', { value: k }, tk(`mt.kind.${k}`))));
  const list = h('div', { class: 'mt-list' });
  // Read-only boxes: they can be reached with Tab, scrolled and copied from, and have labels.
  const subject = h('input', { id: 'mt-preview-subject', type: 'text', readonly: true });
  const body = h('textarea', { id: 'mt-preview-body', class: 'mt-body', readonly: true, rows: 14 });
  const note = h('p', { class: 'muted', role: 'status' });
  let rows: Row[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let asked = 0;

  const showError = (row: Row, message: string) => {
    row.error.textContent = message;
    row.box.setAttribute('aria-invalid', 'true');
  };
  const clearError = (row: Row) => {
    row.error.textContent = '';
    row.box.removeAttribute('aria-invalid');
  };
  const stateText = (m: MailTemplate) => m.overridden && m.changed_at
    ? t('mt.changed', { who: m.changed_by ?? '', date: formatDate(wallTime(m.changed_at, clinic.tz).slice(0, 10)) })
    : t(m.overridden ? 'mt.changedNoDate' : 'mt.default');
  const show = (row: Row, m: MailTemplate) => {
    row.saved = m;
    row.box.value = m.text;
    row.state.textContent = stateText(m);
    row.reset.disabled = !m.overridden;
    clearError(row);
  };
  const drafts = (): TextDraft[] =>
    rows.filter((r) => r.box.value !== r.saved.text).map((r) => ({ key: r.saved.key, text: r.box.value }));

  // Only the newest answer is shown: an older one may arrive after it.
  const preview = async () => {
    const mine = ++asked;
    try {
      const mail = await ipc.previewMail(language.value as Language, kind.value as MailKind, drafts());
      if (mine !== asked) return;
      subject.value = mail.subject;
      body.value = mail.body;
      note.textContent = '';
      // Every text passed: the drafts were checked as a save checks them, and saved ones were.
      rows.forEach(clearError);
    } catch (e) {
      if (mine !== asked) return;
      const err = asAppError(e);
      const row = rows.find((r) => r.saved.key === err.field);
      if (row) showError(row, err.message); else note.textContent = err.message;
    }
  };
  const previewSoon = () => { clearTimeout(timer); timer = setTimeout(() => void preview(), PREVIEW_DELAY_MS); };

  const save = async (row: Row) => {
    row.done.textContent = '';
    try {
      show(row, await ipc.setMailTemplate(row.saved.language, row.saved.key, row.box.value));
      row.done.textContent = t('mt.saved');
      await preview();
    } catch (e) {
      // What was typed stays in the box, with the reason beside it; a preview on its way, asked
      // for before the last keystrokes, must not clear that reason.
      asked++;
      showError(row, asAppError(e).message);
      row.box.focus();
    }
  };
  const reset = async (row: Row) => {
    row.done.textContent = '';
    try {
      show(row, await ipc.resetMailTemplate(row.saved.language, row.saved.key));
      row.done.textContent = t('mt.resetDone');
      row.box.focus();
      await preview();
    } catch (e) {
      showError(row, asAppError(e).message);
    }
  };

  const rowFor = (m: MailTemplate): HTMLElement => {
    const id = `mt-${m.key}`;
    const hint = [m.one_line ? t('mt.oneLine') : '', m.required.length ? t('mt.mustKeep', { placeholders: m.required.map((p) => `{${p}}`).join(' ') }) : '']
      .filter(Boolean).join(' ');
    const box = h('textarea', { id, rows: m.one_line ? 1 : 3, 'aria-describedby': `${id}-hint ${id}-state ${id}-error` });
    const row: Row = {
      saved: m,
      box,
      state: h('span', { id: `${id}-state`, class: 'muted' }),
      error: h('p', { id: `${id}-error`, class: 'field-error' }),
      done: h('span', { role: 'status', class: 'muted' }),
      reset: h('button', { type: 'button', class: 'mt-reset' }, t('mt.reset')),
    };
    show(row, m);
    box.addEventListener('input', () => { row.done.textContent = ''; previewSoon(); });
    // Ctrl+Enter (or Cmd+Enter) saves the text being typed, as the Save button beside it does.
    box.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); void save(row); }
    });
    row.reset.addEventListener('click', () => void reset(row));
    rows.push(row);
    return h('div', { class: 'field mt-text', role: 'group', 'aria-labelledby': `${id}-label` },
      h('label', { id: `${id}-label`, for: id }, tk(`mt.key.${m.key}`)),
      box,
      h('p', { class: 'muted mt-hint' }, h('span', { id: `${id}-hint` }, hint), ' ', row.state),
      row.error,
      h('div', { class: 'actions' }, row.done,
        h('button', { type: 'button', class: 'mt-save', onclick: () => void save(row) }, t('mt.save')),
        row.reset));
  };

  const load = async () => {
    note.textContent = '';
    try {
      const texts = await ipc.mailTemplates(language.value as Language);
      rows = [];
      list.replaceChildren(...texts.map(rowFor));
      await preview();
    } catch (e) {
      list.replaceChildren(h('p', { class: 'field-error' }, asAppError(e).message));
    }
  };
  language.addEventListener('change', () => void load());
  kind.addEventListener('change', () => void preview());

  const section = h('section', { class: 'card mail-texts', 'aria-labelledby': 'mt-title' },
    h('h2', { id: 'mt-title' }, t('mt.title')),
    h('p', { class: 'muted' }, t('mt.intro')),
    h('div', { class: 'field' }, h('label', { for: 'mt-language' }, t('mt.language')), language),
    list,
    h('div', { class: 'mt-preview' },
      h('h3', { id: 'mt-preview-title' }, t('mt.preview')),
      h('div', { class: 'field' }, h('label', { for: 'mt-kind' }, t('mt.previewKind')), kind),
      h('p', { class: 'muted' }, t('mt.previewNote')),
      note,
      h('div', { class: 'field' }, h('label', { for: 'mt-preview-subject' }, t('mt.subject')), subject),
      h('div', { class: 'field' }, h('label', { for: 'mt-preview-body' }, t('mt.body')), body)));
  await load();
  return section;
}
