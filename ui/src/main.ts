import './style.css';
import { dayView, isAppError } from './ipc';
import { renderDay, renderError } from './day';
import { t } from './messages';

export async function start(root: HTMLElement): Promise<void> {
  root.textContent = t('loading');
  try {
    renderDay(root, await dayView());
  } catch (e) {
    renderError(root, isAppError(e) ? e : { kind: 'internal', message: String(e) });
  }
}

const root = document.getElementById('app');
if (root) void start(root);
