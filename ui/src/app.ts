// The app's start-up: the first start (setting the clinic up), the sign-in screen, and the
// signed-in desk (desk.ts), opened again at the sign-in screen when it locks.
import { asAppError, ipc } from './ipc';
import type { AppStatus } from './ipc';
import { h } from './dom';
import { t, tk } from './messages';
import { renderJoin, renderSignIn, renderSetup } from './signin';
import { reportPainted } from './painted';
import { Desk } from './desk';

export async function startApp(root: HTMLElement): Promise<void> {
  root.replaceChildren(h('p', { class: 'loading' }, t('app.loading')));
  let status: AppStatus;
  try {
    status = await ipc.appStatus();
  } catch (e) {
    // The clinic cannot be opened: say why, and let the desk point at another server.
    const err = asAppError(e);
    const server = await ipc.clinicServer().catch(() => null);
    const change = () => renderJoin(root, server, null);
    root.replaceChildren(h('section', { class: `card narrow error error-${err.kind}`, role: 'alert' },
      h('h1', {}, tk(`error.${err.kind}`)), h('p', {}, err.message),
      server ? h('button', { type: 'button', id: 'change-server', onclick: change }, t('join.change')) : null));
    return;
  }
  if (status.setup_needed) return renderSetup(root, () => void startApp(root));
  const clinic = status.clinic;
  const restart = () => startApp(root);
  if (!status.signed_in || !clinic) {
    // The sign-in screen already knows the clinic: the desk opens without asking again.
    renderSignIn(root, status, (me) => void (clinic ? new Desk(root, clinic, me, restart).open() : startApp(root)));
    return reportPainted('signin');
  }
  await new Desk(root, clinic, status.signed_in, restart).open();
}
