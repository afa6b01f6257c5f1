import { Router, type Request } from 'express';
import { renderShell } from '../ui-shell.js';

/**
 * The admin page and the "Configure automatic access" dialog as Connect iframes. The shell holds
 * no data (every API call is authenticated on its own), so it is served without a token check.
 * `sandboxAllJsUrl` is the local stand-in for all.js, used when the sandbox frames the page.
 */
export function connectPages(allJsUrl: string, sandboxAllJsUrl: string | null): Router {
  const router = Router();
  const hostScript = (req: Request) => (sandboxAllJsUrl && req.query.sandbox === '1' ? sandboxAllJsUrl : allJsUrl);
  router.get('/connect/admin', (req, res) => {
    res.type('html').send(renderShell({ host: 'connect', view: 'page' }, hostScript(req)));
  });
  router.get('/connect/configure-automatic-access', (req, res) => {
    res.type('html').send(renderShell({ host: 'connect', view: 'dialog' }, hostScript(req)));
  });
  return router;
}
