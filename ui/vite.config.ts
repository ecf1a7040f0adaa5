import { defineConfig } from 'vite';

// The Tauri window loads ui/dist (built) or this dev server (tauri dev).
export default defineConfig({
  clearScreen: false,
  server: { port: 5173, strictPort: true, host: '127.0.0.1' },
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    // bare.html is the start-up benchmark's reference window (examples/bare_window.rs).
    rollupOptions: { input: { main: 'index.html', bare: 'bare.html' } },
  },
  test: { environment: 'jsdom' },
});
