// The bench build's timing probe (bench.ts; not in a shipped build): a mark is taken after the
// answer to the armed command and the change it causes, never before.
import { afterEach, describe, expect, it } from 'vitest';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { commands } from './bindings';
import { start } from './bench';

type Probe = { arm: (spec: object) => void; marks: { name: string; ms: number }[] };
const probe = () => (window as unknown as { __bench: Probe }).__bench;
const frames = () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(resolve, 0))));

afterEach(() => clearMocks());

describe('the bench probe', () => {
  it('times from the input event to the frames after the answered change, and emits the mark', async () => {
    const emitted: unknown[] = [];
    let answer: (value: unknown) => void = () => undefined;
    mockIPC((cmd, args) => {
      if (cmd === 'plugin:event|emit') { emitted.push(args); return null; }
      if (cmd === 'schedule') return new Promise((resolve) => { answer = resolve; });
      return null;
    });
    const calendar = document.createElement('div');
    calendar.id = 'calendar';
    document.body.append(calendar);
    start();
    probe().arm({ name: 'next_day', ipc: 'schedule', within: '#calendar' });
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
    const read = commands.schedule('2026-07-07', 1);
    calendar.append(document.createElement('span')); // a change before the answer does not count
    await frames();
    expect(probe().marks).toEqual([]);
    answer({ days: 1 });
    await read;
    calendar.append(document.createElement('span'));
    await frames();
    expect(probe().marks.map((m) => m.name)).toEqual(['next_day']);
    expect(probe().marks[0].ms).toBeGreaterThanOrEqual(0);
    expect(JSON.stringify(emitted)).toContain('bench-mark');
  });
});
