// The status line's network part: whether this computer has a network. The schedule never needs
// it (it is read from the local database); meetings and e-mail will.
import { t } from './messages';

/** Keeps `el` saying whether the network is reachable; returns a function that stops watching. */
export function watchNetwork(el: HTMLElement): () => void {
  const show = () => {
    el.textContent = navigator.onLine ? t('status.online') : t('status.offline');
    el.className = navigator.onLine ? 'online' : 'offline';
  };
  window.addEventListener('online', show);
  window.addEventListener('offline', show);
  show();
  return () => {
    window.removeEventListener('online', show);
    window.removeEventListener('offline', show);
  };
}
