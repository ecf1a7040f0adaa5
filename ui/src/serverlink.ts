// The clinic's server, as a desk on it hears of it: when the server stops answering, a banner
// above the screen says since when and how old the schedule shown is (the desk reads its copy,
// and changes wait); when it answers again, the banner says so once and goes.
import { events, ipc, subscribe } from './ipc';
import type { ServerLinkChanged } from './ipc';
import { h } from './dom';
import { formatTime, t } from './messages';

/** How long "connected again" stays before the banner goes. */
const BACK_SHOWN_MS = 8000;

export class ServerBanner {
  readonly element = h('div', { id: 'server-banner', class: 'server-banner', role: 'status', 'aria-live': 'polite', hidden: true });
  private away = false;
  private backTimer: ReturnType<typeof setTimeout> | null = null;

  /** `tz`: the clinic's zone, in which the times are said. */
  constructor(private tz: string) {}

  /** Whether the desk shows its copy (changes are refused until the server answers). */
  get readOnly(): boolean {
    return this.away;
  }

  /** Shows the server's state now and follows it until the returned function is called. */
  start(): () => void {
    const stop = subscribe(events.serverLinkChanged, (link) => this.show(link));
    void ipc.serverLink().then((link) => { if (link) this.show(link, true); }).catch(() => undefined);
    return () => {
      stop();
      if (this.backTimer) clearTimeout(this.backTimer);
    };
  }

  /** `initial`: the state at start, when "connected again" would say nothing new. */
  show(link: ServerLinkChanged, initial = false): void {
    if (this.backTimer) { clearTimeout(this.backTimer); this.backTimer = null; }
    if (link.away_since) {
      this.away = true;
      const since = formatTime(link.away_since, this.tz);
      this.element.textContent = link.copy_as_of
        ? t('server.away', { since, asOf: formatTime(link.copy_as_of, this.tz) })
        : t('server.awayNoCopy', { since });
      this.element.className = 'server-banner away';
      this.element.hidden = false;
      return;
    }
    const wasAway = this.away;
    this.away = false;
    if (!wasAway || initial) { this.element.hidden = true; return; }
    this.element.textContent = t('server.back');
    this.element.className = 'server-banner back';
    this.element.hidden = false;
    this.backTimer = setTimeout(() => { this.element.hidden = true; this.backTimer = null; }, BACK_SHOWN_MS);
  }
}
