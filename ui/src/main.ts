import './style.css';
import { startApp } from './app';

// A bench build (scripts/bench) times its interactions; the condition is replaced at build time,
// so a shipped build leaves the module out.
if (import.meta.env.VITE_FRONTDESK_BENCH === '1') void import('./bench').then((m) => m.start());

const root = document.getElementById('app');
if (root) void startApp(root);
