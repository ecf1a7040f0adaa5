// @vitest-environment jsdom
// Hearing the backend's events through ipc.ts: each one until stopped, and nothing after.
import { afterEach, describe, expect, it } from 'vitest';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { events, subscribe } from './ipc';

afterEach(() => { clearMocks(); });

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('subscribe', () => {
  it('hears each event until stopped', async () => {
    mockIPC(() => null, { shouldMockEvents: true });
    const heard: number[] = [];
    const stop = subscribe(events.mailChanged, (e) => heard.push(e.appointment_id));
    await settle();
    await events.mailChanged.emit({ appointment_id: 1 });
    await events.meetingChanged.emit({ appointment_id: 2 });
    await events.mailChanged.emit({ appointment_id: 3 });
    stop();
    await events.mailChanged.emit({ appointment_id: 4 });
    expect(heard).toEqual([1, 3]);
  });

  it('hears nothing when stopped before its listener was registered', async () => {
    mockIPC(() => null, { shouldMockEvents: true });
    const heard: number[] = [];
    subscribe(events.mailChanged, (e) => heard.push(e.appointment_id))();
    await settle();
    await events.mailChanged.emit({ appointment_id: 1 });
    expect(heard).toEqual([]);
  });
});
