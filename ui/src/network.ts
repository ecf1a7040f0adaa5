// The status line's network part. On a single computer: whether it has a network (the schedule
// never needs it; meetings and e-mail do). On a desk of a clinic's server: whether the server
// answers (while it does not, the desk shows its read copy and changes wait).
import { events, ipc, subscribe } from './ipc';
import type { ServerLinkChanged } from './ipc';
import { formatTime, t } from './messages';

/**
 * Keeps `el` saying whether the network, or on a clinic's server the server, is reachable;
 * `tz` is the clinic's zone for the time it says. Returns a function that stops watching.
 */
export function watchNetwork(el: HTMLElement, tz: string): () => void {
  /** The server's state, once the desk has heard it is on one. */
  let link: ServerLinkChanged | null = null;
  const show = () => {
    const up = link ? link.away_since === null : navigator.onLine;
    if (link?.away_since) el.textContent = t('status.serverAway', { since: formatTime(link.away_since, tz) });
    else if (link) el.textContent = t('status.serverUp');
    else el.textContent = up ? t('status.online') : t('status.offline');
    el.className = up ? 'online' : 'offline';
  };
  const heard = (l: ServerLinkChanged) => { link = l; show(); };
  window.addEventListener('online', show);
  window.addEventListener('offline', show);
  const stop = subscribe(events.serverLinkChanged, heard);
  void ipc.serverLink().then((l) => { if (l && !link) heard(l); }).catch(() => undefined);
  show();
  return () => {
    window.removeEventListener('online', show);
    window.removeEventListener('offline', show);
    stop();
  };
}
