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
  resolve: {
    alias: [
      // The feature-gate client no frame ever initializes: its answers without the Statsig SDK (see the module).
      { find: /^@atlaskit\/feature-gate-js-client(\/feature-gates)?$/, replacement: here('./src/build/feature-gates-off.ts') },
    ],
  },
  build: {
    outDir: here('./dist'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // The modules every view loads first get their own chunk: it changes only when React does, so a
    // browser keeps it across our releases. (Vite preloads each chunk's imports with it: modulepreload stays on.)
    rolldownOptions: {
      input: here('./index.html'),
      output: { codeSplitting: { groups: [{ name: 'react', test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/ }] } },
    },
  },
});
