// The UI talks to Tauri through ipc.ts only (STYLE.md, pattern 11): no other file imports Tauri's
// API (`invoke`, `listen`, `emit`, windows...), so every command and event goes through the client
// generated from the Rust types. Tests may use Tauri's mocks, and send events through ipc.ts as
// the backend would.
import { describe, expect, it } from 'vitest';

const sources = import.meta.glob<string>('./**/*.{ts,js}', { query: '?raw', import: 'default', eager: true });

/** The files that may import Tauri's API, and why. */
const ALLOWED: Record<string, string> = {
  './ipc.ts': 'the one IPC module',
  './bindings.ts': 'generated from the Rust types; ipc.ts wraps it',
  // The start-up benchmark's reference pages (not the app): each reports its first paint with a
  // bare `invoke`, so as to load nothing the measurement is not about.
  './bare.ts': 'the start-up benchmark’s empty page',
  './floor.ts': 'the start-up benchmark’s calendar-only page',
  // Bench builds only (main.ts leaves it out of a shipped build): the interactions' timing
  // marks, emitted as an event the bench build's backend logs.
  './bench.ts': 'the benchmark’s timing probe, in bench builds only',
  './boundary.test.ts': 'this test, which names what it looks for',
};

/** Tauri's JavaScript API (its mocks too), or the globals under it. */
const TAURI_API = /@tauri-apps\/api|__TAURI/;
/** In a test: Tauri's API but its mocks (a test may act as the backend through the mocked globals). */
const TAURI_API_BUT_MOCKS = /@tauri-apps\/api(?!\/mocks['"])/;

/** The tests and their shared mocked backend (testing.ts), which no entry point imports. */
const isTest = (file: string) => file.endsWith('.test.ts') || file === './testing.ts';

describe('the IPC boundary', () => {
  it('reads the UI’s source files', () => {
    expect(Object.keys(sources)).toEqual(expect.arrayContaining(['./app.ts', './ipc.ts', './bindings.ts', './testing.ts']));
  });

  it('leaves Tauri’s API to ipc.ts', () => {
    const offenders = Object.entries(sources)
      .filter(([file]) => !(file in ALLOWED))
      .filter(([file, text]) => (isTest(file) ? TAURI_API_BUT_MOCKS : TAURI_API).test(text))
      .map(([file]) => file);
    expect(offenders).toEqual([]);
  });
});
