import { Router, type Request } from 'express';
import { crossOriginResourcePolicy } from 'helmet';
import { cspNonce } from '../security-headers.js';
import { renderShell } from '../ui-shell.js';

/**
 * The admin page and the "Configure automatic access" dialog as Connect iframes. The shell holds
 * no data (every API call is authenticated on its own), so it is served without a token check.
 * `sandboxAllJsUrl` is the local stand-in for all.js, used when the sandbox frames the page.
 */
export function connectPages(allJsUrl: string, sandboxAllJsUrl: string | null): Router {
  const router = Router();
  const hostScript = (req: Request) => (sandboxAllJsUrl && req.query.sandbox === '1' ? sandboxAllJsUrl : allJsUrl);
  // The pages are made to be embedded by another site (Jira), which helmet's same-origin default would deny.
  const embeddable = crossOriginResourcePolicy({ policy: 'cross-origin' });
  router.get('/connect/admin', embeddable, (req, res) => {
    res.type('html').send(renderShell({ host: 'connect', view: 'page' }, hostScript(req), cspNonce(res)));
  });
  router.get('/connect/configure-automatic-access', embeddable, (req, res) => {
    res.type('html').send(renderShell({ host: 'connect', view: 'dialog' }, hostScript(req), cspNonce(res)));
  });
  return router;
}
