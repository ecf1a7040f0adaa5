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
    // (examples/bare_window.rs): an empty page, and the calendar alone with a page of doctors.
    rollupOptions: {
      input: { main: 'index.html', bare: 'bare.html', floor: 'floor.html', 'floor-empty': 'floor-empty.html' },
    },
  },
  test: { environment: 'jsdom' },
});
