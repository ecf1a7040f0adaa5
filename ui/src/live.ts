// Live updates: what the backend tells the open desk without being asked (a worker made or
// changed a meeting, sent a patient e-mail; another desk or the clinic service changed the
// schedule; the system opened a frontdesk:// link). The events and their payloads come from the
// Rust types, through ipc.ts.
import { events, subscribe } from './ipc';
import type { DeepLink } from './ipc';

/** Meeting changes that come together (a pass over several jobs) make one refresh. */
const MEETING_REFRESH_MS = 250;
/** Another desk's change comes as several announcements (the visit, its meeting, its mail). */
const SCHEDULE_REFRESH_MS = 50;

/** What other desks changed, gathered over a moment. */
export interface ScheduleChanges {
  /** Re-read everything shown (the desk may have missed announcements, or staff or patients changed). */
  everything: boolean;
  ids: Set<number>;
  /** The times the changed appointments held, before and after (UTC instants). */
  spans: [string, string][];
}

export interface LiveHandlers {
  /** A frontdesk:// link (from a second launch or the system): a day or an appointment to show. */
  openLink: (link: DeepLink) => void;
  /** The outbox made, moved or removed these appointments' meetings, or learned why they wait. */
  meetingsChanged: (appointmentIds: Set<number>) => void;
  /** The mail worker sent, deferred or failed this appointment's patient e-mail. */
  mailChanged: (appointmentId: number) => void;
  /** Another desk or the clinic service changed the schedule (on the clinic's server). */
  scheduleChanged: (changes: ScheduleChanges) => void;
}

/** Hands the backend's events to `on` until the returned function is called. */
export function followLiveUpdates(on: LiveHandlers): () => void {
  let changed = new Set<number>();
  let timer: ReturnType<typeof setTimeout> | null = null;
  const meetingChanged = (id: number) => {
    changed.add(id);
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      const batch = changed;
      changed = new Set();
      on.meetingsChanged(batch);
    }, MEETING_REFRESH_MS);
  };
  let others: ScheduleChanges = { everything: false, ids: new Set(), spans: [] };
  let othersTimer: ReturnType<typeof setTimeout> | null = null;
  const scheduleChanged = (id: number | null, spans: [string, string][]) => {
    if (id === null) others.everything = true;
    else others.ids.add(id);
    others.spans.push(...spans);
    if (othersTimer) return;
    othersTimer = setTimeout(() => {
      othersTimer = null;
      const batch = others;
      others = { everything: false, ids: new Set(), spans: [] };
      on.scheduleChanged(batch);
    }, SCHEDULE_REFRESH_MS);
  };
  const stops = [
    subscribe(events.deepLink, (link) => on.openLink(link)),
    subscribe(events.meetingChanged, (e) => meetingChanged(e.appointment_id)),
    subscribe(events.mailChanged, (e) => on.mailChanged(e.appointment_id)),
    subscribe(events.scheduleChanged, (e) => scheduleChanged(e.appointment_id, e.spans)),
  ];
  return () => {
    stops.forEach((stop) => stop());
    if (timer) clearTimeout(timer);
    if (othersTimer) clearTimeout(othersTimer);
  };
}
