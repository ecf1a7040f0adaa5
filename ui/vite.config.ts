import { defineConfig } from 'vite';

// The Tauri window loads ui/dist (built) or this dev server (tauri dev).
export default defineConfig({
  clearScreen: false,
  server: { port: 5173, strictPort: true, host: '127.0.0.1' },
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    // bare.html and floor*.html are the start-up benchmark's reference windows
    // (examples/bare_window.rs): an empty page, and the calendar alone with a page of doctors, in
    // the app's configuration and in the alternatives ADR 0025 weighs.
    rollupOptions: {
      input: {
        main: 'index.html', bare: 'bare.html', floor: 'floor.html', 'floor-empty': 'floor-empty.html',
        'floor-hours': 'floor-hours.html', 'floor-plain': 'floor-plain.html', 'floor-own': 'floor-own.html',
      },
    },
  },
  test: { environment: 'jsdom' },
});
