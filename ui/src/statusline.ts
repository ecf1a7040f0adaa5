// The status line at the foot of the desk: the network, who is signed in, and the alert for
// video-visit accounts the provider refused (looked at again every few minutes); and the toast
// that tells of an action that failed.
import { ipc } from './ipc';
import type { Staff } from './ipc';
import { h } from './dom';
import { t, tk } from './messages';
import { watchNetwork } from './network';
import { reconnectAlert, refusedConnections } from './accounts';
import { canConnect } from './session';

/**
 * How often the desk looks again for video-visit accounts the provider refused. Cheap: it reads
 * the local database (the backend marks a connection refused when a call to the provider fails).
 */
const CONNECTION_CHECK_MS = 3 * 60_000;

export class StatusLine {
  readonly footer: HTMLElement;
  readonly toast = h('div', { class: 'toast', role: 'status', 'aria-live': 'polite', hidden: true });
  private network = h('span', { id: 'network-status' });
  private alertText = h('span');
  /** Where the doctors' tokens go, when an admin allowed other hosts than the providers' own. */
  private hosts = h('span', { id: 'provider-hosts', class: 'provider-hosts', role: 'status', hidden: true });
  private alert: HTMLElement;
  /** Checks started, so that an older answer never overwrites a newer one. */
  private checks = 0;

  /** `openAccounts` is the alert's action: the Video visits screen. */
  constructor(private me: Staff, openAccounts: () => void, private tz: string) {
    this.alert = h('button', { type: 'button', id: 'video-alert', class: 'video-alert', hidden: true, onclick: openAccounts },
      h('span', { class: 'dot', 'aria-hidden': 'true' }), this.alertText);
    // The live region stays in the page, so that a screen reader hears the alert when it appears.
    const alertStatus = h('span', { id: 'video-alert-status', class: 'video-alert-status', role: 'status' }, this.alert);
    this.footer = h('footer', { class: 'statusline' },
      h('span', {}, this.network, ' · ', t('status.signedIn', { name: me.name, role: tk(`role.${me.role}`) })),
      this.hosts,
      canConnect(me) ? alertStatus : null);
  }

  /** Watches the network and the accounts until the returned function is called. */
  start(): () => void {
    const stopNetwork = watchNetwork(this.network, this.tz);
    const timer = canConnect(this.me) ? setInterval(() => void this.checkConnections(), CONNECTION_CHECK_MS) : undefined;
    void this.checkConnections();
    void this.checkHosts();
    return () => {
      stopNetwork();
      clearInterval(timer);
    };
  }

  /**
   * Updates the alert for video-visit accounts the provider refused: an admin hears of every
   * doctor's, a doctor of their own, a receptionist of none (nothing they can do).
   */
  async checkConnections(): Promise<void> {
    if (!canConnect(this.me)) return;
    const mine = ++this.checks;
    let message: string | null;
    try {
      const admin = this.me.role === 'admin';
      const [connections, staff] = await Promise.all([ipc.connections(), admin ? ipc.listStaff() : null]);
      const doctors = staff?.filter((s) => s.role === 'doctor' && s.active);
      message = reconnectAlert(refusedConnections(connections, this.me, doctors), this.me);
    } catch {
      return; // keep what is shown; the next check tries again
    }
    if (mine !== this.checks) return; // a later check has already answered
    // Unchanged text is left alone: rewriting it would make a screen reader repeat it.
    if (message === null) this.alert.hidden = true;
    else if (message !== this.alertText.textContent || this.alert.hidden) {
      this.alertText.textContent = message;
      this.alert.hidden = false;
    }
  }

  /**
   * Shows, to everyone at the desk, the provider addresses an admin set to other hosts than
   * Zoom's or Microsoft's own (`providers.hosts any`): the doctors' tokens go there.
   */
  async checkHosts(): Promise<void> {
    const others = (await ipc.providerHosts().catch(() => null)) ?? [];
    this.hosts.hidden = others.length === 0;
    this.hosts.textContent = others.length === 0 ? ''
      : t('status.otherHosts', { hosts: others.map((o) => new URL(o.address).host).join(', ') });
  }

  /** Shows `message` for a few seconds. */
  say(message: string): void {
    this.toast.textContent = message;
    this.toast.hidden = false;
    setTimeout(() => { this.toast.hidden = true; }, 6000);
  }
}
