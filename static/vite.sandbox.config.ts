// The local sandbox host page ("a minimal Jira") served by the server at /sandbox/.
// Run from the repository root: `vite build --config static/vite.sandbox.config.ts`.
// The host stand-ins that run inside the app's iframes are copied unchanged, so that the server
// can serve them: sandbox/fake-all.js (for Atlassian's all.js) as /sandbox/all.js, and
// sandbox/fake-forge-bridge.js (for the Forge host behind @forge/bridge) as /sandbox/forge-bridge.js.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

function copyHostStandIns(): Plugin {
  const files = [
    { source: here('./sandbox/fake-all.js'), fileName: 'all.js' },
    { source: here('./sandbox/fake-forge-bridge.js'), fileName: 'forge-bridge.js' },
  ];
  return {
    name: 'ati-copy-host-stand-ins',
    buildStart() {
      for (const file of files) this.addWatchFile(file.source);
    },
    generateBundle() {
      for (const file of files) this.emitFile({ type: 'asset', fileName: file.fileName, source: readFileSync(file.source, 'utf8') });
    },
  };
}

export default defineConfig({
  root: here('./sandbox'),
  base: '/sandbox/',
  publicDir: false,
  plugins: [react(), copyHostStandIns()],
  build: {
    outDir: here('./dist-sandbox'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // The sandbox's host page runs on the developer's own machine and never inside Jira: its one
    // chunk (the design system, whole) loads from localhost, so its size is nobody's first load.
    chunkSizeWarningLimit: 1_500,
    rollupOptions: { input: here('./sandbox/index.html') },
  },
});
