// The app's start-up: the first start (setting the clinic up), the sign-in screen (and the new
// PIN a too-short one must choose), and the signed-in desk (desk.ts), with an admin's notices of
// sign-in problems; opened again at the sign-in screen when it locks.
import { asAppError, ipc } from './ipc';
import type { AppStatus, SecurityNotice, Staff, Today } from './ipc';
import { h } from './dom';
import { t, tk } from './messages';
import { renderJoin, renderPinChange, renderSignIn, renderSetup } from './signin';
import { reportPainted } from './painted';
import { Desk } from './desk';
import { showSecurityNotices } from './notices';

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
  if (status.setup_needed) {
    renderSetup(root, () => void startApp(root));
    return reportPainted('setup');
  }
  const clinic = status.clinic;
  const restart = () => startApp(root);
  // The sign-in screen already knows the clinic: the desk opens without asking again.
  // `today`: the day view the sign-in read while it checked the PIN.
  const openDesk = async (me: Staff, notices: SecurityNotice[] = [], today: Today | null = null) => {
    if (!clinic) return startApp(root);
    await new Desk(root, clinic, me, restart, today).open();
    showSecurityNotices(notices, clinic.tz);
  };
  const changePin = (me: Staff, notices: SecurityNotice[] = []) =>
    renderPinChange(root, me, (changed) => void openDesk(changed, notices), () => void restart());
  if (!status.signed_in || !clinic) {
    renderSignIn(root, status, (signedIn) => {
      if (signedIn.must_change_pin) changePin(signedIn.staff, signedIn.security_notices);
      else void openDesk(signedIn.staff, signedIn.security_notices, signedIn.today);
    });
    return reportPainted('signin');
  }
  if (status.must_change_pin) return changePin(status.signed_in);
  await openDesk(status.signed_in);
}
