// @vitest-environment jsdom
// A telehealth appointment's meeting: the panel's Meeting section (state, reason, Join, Start,
// Retry, by role), the calendar badge, and the refresh when the outbox changes a meeting.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { clearMocks } from '@tauri-apps/api/mocks';
import axe from 'axe-core';
import { historyWords, renderPanel, updatePanelMeeting } from './panel';
import { showDay } from './when';
import type { PanelContext } from './panel';
import { meetingBadge, meetingMark } from './meeting';
import { openDesk, recordingBackend, rightsFor } from './testing';
import type { Call } from './testing';
import { events } from './ipc';
import type { AppointmentDetail, DaySheetRow, HistoryEntry, MeetingInfo, Staff } from './ipc';

// The calendar is stubbed: the desk test only needs to see refreshes.
vi.mock('./calendar', () => ({ ScheduleCalendar: class { show(): void {} reveal(): void {} markOpen(): void {} destroy(): void {} } }));

const admin: Staff = { id: 1, name: 'Eli Admin', role: 'admin', has_pin: true, active: true };
const dana: Staff = { id: 2, name: 'Dana Desk', role: 'receptionist', has_pin: true, active: true };
const ada: Staff = { id: 3, name: 'Dr Ada Lee', role: 'doctor', has_pin: true, active: true };
const ben: Staff = { id: 4, name: 'Dr Ben Roy', role: 'doctor', has_pin: true, active: true };
const JOIN = 'https://zoom.us/j/85746065432?pwd=patient';

const meeting = (m: Partial<MeetingInfo>): MeetingInfo =>
  ({ provider: 'zoom', state: 'pending', waiting: 'queued', due: null, join_url: null, error: null, ...m });

function detail(m: MeetingInfo | null, me: Staff = dana): AppointmentDetail {
  return {
    rights: rightsFor(me, ada.id),
    id: 9, patient_id: 7, doctor_id: ada.id, type_id: 1,
    start: '2026-07-06T13:30:00Z', end: '2026-07-06T14:00:00Z', tz: 'America/Toronto',
    local_start: '2026-07-06T09:30:00-04:00', duration_minutes: 30, topic: null, description: null,
    status: 'booked', cancel_reason: null, meeting: m, history: [], next_statuses: ['checked-in', 'cancelled'],
  };
}


const backend = (handler: (cmd: string) => unknown = () => null): Call[] => recordingBackend(handler);

/** Shows the panel (only this one) of Dr Lee's appointment with meeting `m` to `me`. */
function panel(me: Staff, m: MeetingInfo | null, onChanged = () => undefined, onReschedule = () => undefined): HTMLElement {
  document.body.replaceChildren();
  const root = document.createElement('aside');
  root.id = 'panel';
  document.body.append(root);
  const ctx: PanelContext = {
    clinicTz: 'America/Toronto', me, onChanged, onClose: () => undefined, onReschedule, onStatus: () => undefined,
    names: { patient: 'Jane Doe', doctor: 'Dr Ada Lee', type: 'Consult' },
  };
  renderPanel(root, detail(m, me), ctx);
  return root;
}

/** The calls the Meeting section made (the panel also reads the patient e-mail's state). */
const meetingCalls = (calls: Call[]) => calls.filter((c) => c.cmd !== 'mail_status');

const section = () => document.getElementById('panel-meeting') as HTMLElement;
const text = () => section().textContent ?? '';
const button = (id: string) => document.getElementById(id) as HTMLButtonElement | null;
const settle = async () => { for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0)); };

beforeEach(() => { document.body.replaceChildren(); });
afterEach(() => { vi.useRealTimers(); clearMocks(); vi.restoreAllMocks(); });

describe('the Meeting section of the panel', () => {
  it('offers Reschedule to those who may reschedule the visit, and it opens the dialog on it', () => {
    const onReschedule = vi.fn();
    const root = panel(dana, null, () => undefined, onReschedule);
    (root.querySelector('#panel-reschedule') as HTMLButtonElement).click();
    expect(onReschedule).toHaveBeenCalledOnce();
    expect(panel(ada, null).querySelector('#panel-reschedule')).toBeNull();
  });

  it('says in the history what each change was, from and to, with names and the one date format', () => {
    const ctx = { clinicTz: 'America/Toronto', nameOf: { staff: (id: number) => ({ 3: 'Dr Ada Lee', 4: 'Dr Ben Roy' } as Record<number, string>)[id], type: () => undefined } };
    const entry = (action: string, detail: object) => ({ at: '2026-07-06T14:00:00Z', actor: 'staff:2', actor_name: 'Dana Desk', action, detail: detail as HistoryEntry['detail'] });
    expect(historyWords(entry('status', { from: 'booked', to: 'checked-in' }), ctx)).toBe('Booked → Checked in');
    expect(historyWords(entry('cancelled', { from: 'checked-in', reason: 'x' }), ctx)).toBe('Cancelled (was Checked in)');
    expect(historyWords(entry('status', { from: 'cancelled', to: 'booked', undoes: 9 }), ctx)).toBe('Cancelled → Booked (undo)');
    expect(historyWords(entry('moved', {
      from: { start: '2026-07-06T13:30:00Z', tz: 'America/Toronto', doctor_id: 3 },
      to: { start: '2026-07-07T18:00:00Z', tz: 'America/Toronto', doctor_id: 4 },
    }), ctx)).toBe(`Moved from ${showDay('2026-07-06')} 9:30 a.m. to ${showDay('2026-07-07')} 2:00 p.m. · Dr Ada Lee → Dr Ben Roy`);
    expect(historyWords(entry('booked', {}), ctx)).toBe('Booked');
  });

  it('says in plain words why a pending meeting waits, and offers nothing to open', () => {
    backend();
    panel(dana, meeting({ waiting: 'not_connected' }));
    expect(section().dataset.state).toBe('pending');
    expect(text()).toContain('Zoom meeting');
    expect(text()).toContain('Meeting pending');
    expect(text()).toContain('Dr Ada Lee’s Zoom account isn’t connected');
    expect(button('meeting-join')).toBeNull();
    expect(button('meeting-start')).toBeNull();

    panel(dana, meeting({ waiting: 'offline' }));
    expect(text()).toContain('Waiting for the network');
    panel(dana, meeting({ waiting: 'quota' }));
    expect(text()).toContain('Zoom’s daily limit reached — goes at 00:00 UTC');
    panel(dana, meeting({ waiting: 'quota', due: '2026-07-07T00:00:00Z' }));
    expect(text()).toMatch(/goes at 00:00 UTC \(8:00.p\.m\. here\)/);
    panel(dana, meeting({ provider: 'microsoft', waiting: 'queued' }));
    expect(text()).toContain('Being created in Microsoft Teams');
  });

  it('offers Join to everyone when ready, and Start only to the assigned doctor and admins', () => {
    backend();
    const ready = meeting({ state: 'ready', waiting: null, join_url: JOIN });
    const offered = (me: Staff) => {
      panel(me, ready);
      return [Boolean(button('meeting-join')), Boolean(button('meeting-start'))];
    };
    expect(offered(dana)).toEqual([true, false]);
    expect(offered(ben)).toEqual([true, false]);
    expect(offered(ada)).toEqual([true, true]);
    expect(offered(admin)).toEqual([true, true]);
    expect(text()).toContain('Meeting ready');
  });

  it('asks the backend to open the links, and never shows a host link', async () => {
    const calls = backend();
    panel(ada, meeting({ state: 'ready', waiting: null, join_url: JOIN }));
    button('meeting-join')?.click();
    await settle();
    button('meeting-start')?.click();
    await settle();
    expect(meetingCalls(calls).map((c) => [c.cmd, c.args])).toEqual([
      ['join_meeting', { appointmentId: 9 }], ['start_meeting', { appointmentId: 9 }],
    ]);
    expect(text()).toContain('as the host');
    expect(document.body.innerHTML).not.toContain('/s/');
  });

  it('shows why a Start was refused', async () => {
    backend((cmd) => {
      if (cmd === 'start_meeting') throw { kind: 'setup', message: 'Dr Ada Lee has no Zoom connection; connect the account first', field: null };
    });
    panel(ada, meeting({ state: 'ready', waiting: null, join_url: JOIN }));
    button('meeting-start')?.click();
    await settle();
    expect(section().querySelector('[role=alert]')?.textContent).toBe('Dr Ada Lee has no Zoom connection; connect the account first');
  });

  it('shows the provider’s reason for a failure, and Retry sends the meeting again', async () => {
    const calls = backend();
    const onChanged = vi.fn();
    panel(dana, meeting({ state: 'failed', waiting: null, error: 'Zoom refused the meeting request: invalid start time' }), onChanged);
    expect(section().dataset.state).toBe('failed');
    expect(text()).toContain('Meeting failed');
    expect(text()).toContain('Zoom refused the meeting request: invalid start time');
    button('meeting-retry')?.click();
    await settle();
    expect(meetingCalls(calls)).toEqual([{ cmd: 'retry_meeting', args: { appointmentId: 9 } }]);
    expect(onChanged).toHaveBeenCalledTimes(1);
    // Another doctor is not offered a Retry of Dr Lee's meeting (the backend refuses it too).
    panel(ben, meeting({ state: 'failed', waiting: null, error: 'refused' }));
    expect(button('meeting-retry')).toBeNull();
  });

  it('says a cancelled meeting was removed, and hides the section of an in-person visit', () => {
    backend();
    panel(dana, meeting({ state: 'cancelled', waiting: null }));
    expect(text()).toContain('Meeting cancelled');
    expect(section().querySelector('button')).toBeNull();
    panel(dana, null);
    expect(section().hidden).toBe(true);
  });

  it('updates in place, keeping a cancel reason being typed', () => {
    backend();
    const root = panel(dana, meeting({ waiting: 'not_connected' }));
    const reason = root.querySelector('#cancel-reason') as HTMLTextAreaElement;
    reason.value = 'Patient called';
    updatePanelMeeting(root, detail(meeting({ state: 'ready', waiting: null, join_url: JOIN })), {
      clinicTz: 'America/Toronto', me: dana, onChanged: () => undefined, onClose: () => undefined, onReschedule: () => undefined, onStatus: () => undefined,
      names: { patient: 'Jane Doe', doctor: 'Dr Ada Lee', type: 'Consult' },
    });
    expect(section().dataset.state).toBe('ready');
    expect(button('meeting-join')).not.toBeNull();
    expect((root.querySelector('#cancel-reason') as HTMLTextAreaElement).value).toBe('Patient called');
  });

  it('has no accessibility violation in any state', async () => {
    backend();
    for (const m of [
      meeting({ waiting: 'not_connected' }), meeting({ state: 'ready', waiting: null, join_url: JOIN }),
      meeting({ state: 'failed', waiting: null, error: 'refused' }), meeting({ state: 'cancelled', waiting: null }),
    ]) {
      panel(admin, m);
      // Contrast and icon ligatures need a layout engine and a canvas: the end-to-end test checks them.
      const rules = { 'color-contrast': { enabled: false }, 'label-content-name-mismatch': { enabled: false } };
      const results = await axe.run(document.body, { rules });
      expect(results.violations.map((v) => v.id), m.state).toEqual([]);
    }
  });
});

describe('the calendar badge', () => {
  it('names the state (and why a meeting waits) in words, with a shape the screen reader skips', () => {
    const badge = meetingBadge(meeting({ waiting: 'not_connected' }));
    expect(badge.textContent).toBe('◷ Meeting pending · not connected');
    expect(badge.className).toBe('meeting-badge meeting-pending');
    expect(badge.querySelector('[aria-hidden=true]')?.textContent).toBe('◷');
    expect(meetingBadge(meeting({ state: 'ready', waiting: null })).textContent).toBe('✓ Meeting ready');
    expect(meetingBadge(meeting({ state: 'failed', waiting: null })).textContent).toBe('! Meeting failed');
    expect(meetingBadge(meeting({ state: 'cancelled', waiting: null })).textContent).toBe('⊘ Meeting cancelled');
    // Where there is no room for words (the time line), the shape alone; the badge has the words.
    const mark = meetingMark(meeting({ state: 'failed', waiting: null }));
    expect([mark.textContent, mark.getAttribute('aria-hidden'), mark.className]).toEqual(['!', 'true', 'meeting-mark meeting-failed']);
  });
});

describe('meeting changes from the outbox', () => {
  it('read the day again when a shown appointment’s meeting changed, and only then', async () => {
    vi.useFakeTimers();
    const row = { ...detail(meeting({})), local_end: '2026-07-06T10:00:00-04:00', type_name: 'Consult', mode: 'zoom', doctor_name: 'Dr Ada Lee', patient_name: 'Jane Doe', outside_hours: false } as DaySheetRow;
    const calls = await openDesk({ me: dana, doctors: [ada], appointments: [row] });
    const reads = () => calls.filter((c) => c.cmd === 'schedule').length;
    const before = reads();

    await events.meetingChanged.emit({ appointment_id: 42 });
    await vi.advanceTimersByTimeAsync(1000);
    expect(reads()).toBe(before);

    // Several changes together make one read.
    await events.meetingChanged.emit({ appointment_id: 9 });
    await events.meetingChanged.emit({ appointment_id: 9 });
    await vi.advanceTimersByTimeAsync(1000);
    expect(reads()).toBe(before + 1);
  });
});
