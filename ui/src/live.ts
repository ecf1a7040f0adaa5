// Live updates: what the backend tells the open desk without being asked (a worker made or
// changed a meeting, sent a patient e-mail; the system opened a frontdesk:// link). The events
// and their payloads come from the Rust types, through ipc.ts.
import { events, subscribe } from './ipc';
import type { DeepLink } from './ipc';

/** Meeting changes that come together (a pass over several jobs) make one refresh. */
const MEETING_REFRESH_MS = 250;

export interface LiveHandlers {
  /** A frontdesk:// link (from a second launch or the system): a day or an appointment to show. */
  openLink: (link: DeepLink) => void;
  /** The outbox made, moved or removed these appointments' meetings, or learned why they wait. */
  meetingsChanged: (appointmentIds: Set<number>) => void;
  /** The mail worker sent, deferred or failed this appointment's patient e-mail. */
  mailChanged: (appointmentId: number) => void;
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
  const stops = [
    subscribe(events.deepLink, (link) => on.openLink(link)),
    subscribe(events.meetingChanged, (e) => meetingChanged(e.appointment_id)),
    subscribe(events.mailChanged, (e) => on.mailChanged(e.appointment_id)),
  ];
  return () => {
    stops.forEach((stop) => stop());
    if (timer) clearTimeout(timer);
  };
}
