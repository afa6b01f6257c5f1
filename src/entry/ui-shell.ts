import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import express, { type Router } from 'express';

export const UI_DIST = path.resolve('static/dist');

export type HostView = { host: 'connect' | 'forge'; view: 'page' | 'dialog' };

/**
 * The Custom UI bundle is one index.html; each host gets it with a small script that says which
 * host bridge to use and, for Connect, the host's all.js. Assets are served from /app/.
 * A null `hostView` serves it as Forge does, without that script (so the UI uses the Forge
 * bridge); `hostScriptUrl` is then a script that runs before the bundle (the sandbox's
 * @forge/bridge stand-in). `nonce` is the Content-Security-Policy nonce of this response
 * (security-headers.ts), without which the browser would not run the inline script.
 */
export function renderShell(hostView: HostView | null, hostScriptUrl: string | null, nonce: string): string {
  const file = path.join(UI_DIST, 'index.html');
  if (!existsSync(file)) {
    return '<!doctype html><title>Build missing</title><p>The admin page has not been built: run <code>npm run build</code>.</p>';
  }
  const html = readFileSync(file, 'utf8');
  const head = hostView
    ? [
        '<base href="/app/">',
        hostScriptUrl ? `<script src="${encodeURI(hostScriptUrl)}" data-options="sizeToParent:true"></script>` : '',
        `<script nonce="${nonce}">window.__ATI_HOST__=${JSON.stringify(hostView)};</script>`,
      ].join('')
    : ['<base href="/app/">', hostScriptUrl ? `<script src="${encodeURI(hostScriptUrl)}"></script>` : ''].join('');
  return html.replace('<head>', `<head>${head}`);
}

export function uiAssets(): Router {
  const router = express.Router();
  router.use('/app', express.static(UI_DIST, { index: false, maxAge: '1h' }));
  return router;
}
