// The local sandbox host page ("a minimal Jira") served by the server at /sandbox/.
// Run from the repository root: `vite build --config static/vite.sandbox.config.ts`.
// sandbox/fake-all.js (the stand-in for Atlassian's all.js) is copied unchanged to
// dist-sandbox/all.js so that the server can serve it as /sandbox/all.js.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

function copyFakeAllJs(): Plugin {
  const source = here('./sandbox/fake-all.js');
  return {
    name: 'ati-copy-fake-all-js',
    buildStart() {
      this.addWatchFile(source);
    },
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: 'all.js', source: readFileSync(source, 'utf8') });
    },
  };
}

export default defineConfig({
  root: here('./sandbox'),
  base: '/sandbox/',
  publicDir: false,
  plugins: [react(), copyFakeAllJs()],
  build: {
    outDir: here('./dist-sandbox'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    rollupOptions: { input: here('./sandbox/index.html') },
  },
});
