import { defineConfig } from 'vite';

// The Tauri window loads ui/dist (built) or this dev server (tauri dev).
export default defineConfig({
  clearScreen: false,
  server: { port: 5173, strictPort: true, host: '127.0.0.1' },
  build: { target: 'es2022', outDir: 'dist', emptyOutDir: true },
  test: { environment: 'jsdom' },
});
