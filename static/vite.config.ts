// The admin UI (Custom UI resource for Forge, iframe page for Connect).
// Run from the repository root: `vite build --config static/vite.config.ts`.
// base './' keeps every asset URL relative: Forge serves the resource from its own CDN path
// and the server serves the same files under /app/.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: './',
  publicDir: false,
  plugins: [react()],
  build: {
    outDir: here('./dist'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    rollupOptions: { input: here('./index.html') },
  },
});
