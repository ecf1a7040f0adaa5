// The admin's Updates card on the Settings screen: this build's version, the clinic's update feed
// (its latest.json), and "Frontdesk X.Y.Z is available" with Install, which restarts the app.
// Only the Settings screen (admins) shows it: nobody else is told of or interrupted by an update.
import { h } from './dom';
import { asAppError, ipc } from './ipc';
import type { UpdateStatus } from './ipc';
import { t } from './messages';

/** The card, filled in once the backend has asked the feed. */
export function updatesCard(): HTMLElement {
  const card = h('aside', { class: 'card editor', id: 'updates' }, h('h2', {}, t('updates.title')), h('p', { class: 'muted' }, t('updates.checking')));
  void ipc.checkUpdate().then((s) => fill(card, s), (e) => fill(card, null, asAppError(e).message));
  return card;
}

function fill(card: HTMLElement, status: UpdateStatus | null, problem?: string): void {
  const feed = h('input', { id: 'update-feed', type: 'url', value: status?.feed ?? '', placeholder: 'https://clinic.example/frontdesk/latest.json', 'aria-describedby': 'update-feed-error' });
  const feedError = h('p', { id: 'update-feed-error', class: 'error', role: 'alert' });
  const state = h('p', { id: 'update-state', role: 'status' });
  const install = h('button', { type: 'button', id: 'install-update', hidden: true });
  const say = (text: string) => { state.textContent = text; };
  const show = (s: UpdateStatus) => {
    install.hidden = true;
    const c = s.check;
    if (c.state === 'available') {
      say(t('updates.available', { version: c.version }) + (c.notes ? ` ${c.notes}` : ''));
      install.textContent = t('updates.install', { version: c.version });
      install.hidden = false;
      install.onclick = () => {
        install.disabled = true;
        say(t('updates.installing', { version: c.version }));
        ipc.installUpdate(c.version).catch((e) => { install.disabled = false; say(asAppError(e).message); });
      };
    } else if (c.state === 'up_to_date') say(t('updates.upToDate', { version: s.current }));
    else say(c.reason);
  };
  const save = h('form', {
    onsubmit: (e: Event) => {
      e.preventDefault();
      feedError.textContent = '';
      ipc.setUpdateFeed(feed.value.trim() || null).then(show, (err) => {
        const error = asAppError(err);
        if (error.field === 'updates.feed') feedError.textContent = error.message; else say(error.message);
      });
    },
  },
  h('label', { for: 'update-feed' }, t('updates.feed')), feed, feedError,
  h('button', { type: 'submit', id: 'save-update-feed' }, t('updates.save')));
  card.replaceChildren(h('h2', {}, t('updates.title')),
    h('p', {}, t('updates.current', { version: status?.current ?? '' })), save, state, install);
  if (status) show(status); else say(problem ?? '');
}
