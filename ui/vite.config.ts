import { defineConfig } from 'vite';

// Tauri serves the built files; no dev server, no external resources.
export default defineConfig({
  clearScreen: false,
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  test: { environment: 'node' },
});
