import { randomUUID } from 'node:crypto';
import path from 'node:path';
import express, { type Express } from 'express';
import { z } from 'zod';
import { BitbucketClient } from '../../clients/bitbucket/bitbucket-client.js';
import type { AppOptions } from '../../app.js';
import type { Logger } from '../../logger.js';
import { BitbucketSimulator } from '../../../test/support/simulators/bitbucket-simulator.js';
import { ConnectInstallKeyServer } from '../../../test/support/simulators/connect-install-keys.js';
import { JiraConnectSimulator } from '../../../test/support/simulators/jira-connect-simulator.js';
import { fieldErrorsOf, sendError } from '../api/http-errors.js';
import { USER_CREATED_PATH } from '../connect/user-created-webhook.js';

const SANDBOX_DIST = path.resolve('static/dist-sandbox');
const APP_KEY = 'automatic-team-invitations';

/** Fake values, shown on the sandbox page so a person can paste them into the link form. */
export const DEMO = {
  workspace: 'acme-demo',
  oauthKey: 'sandbox-consumer-key',
  oauthSecret: 'sandbox-consumer-secret',
  badSecret: 'wrong-secret',
  groups: [
    { slug: 'developers', name: 'Developers' },
    { slug: 'qa', name: 'QA' },
    { slug: 'designers', name: 'Designers' },
    { slug: 'release-managers', name: 'Release managers' },
  ],
  /**
   * A second workspace without any group, to see the dialog's empty state. Bitbucket binds an
   * OAuth consumer to one workspace, so it has its own key (same secret, for easy pasting).
   */
  empty: { workspace: 'empty-demo', oauthKey: 'sandbox-empty-consumer-key', oauthSecret: 'sandbox-consumer-secret' },
};
const ADMIN = { accountId: 'sandbox-admin', displayName: 'Sandbox Admin', emailAddress: 'admin@sandbox.example' };

export type Sandbox = {
  appOptions: Pick<AppOptions, 'bitbucket' | 'extraRoutes'>;
  /** Installs the sandbox's Jira site into the running app. */
  install: (appBaseUrl: string) => Promise<void>;
  stop: () => Promise<void>;
};

/**
 * The newcomer's first look, without a real Jira: a simulated Jira site installs the app, and a
 * simulated Bitbucket with a demo workspace takes the invitations. Never part of production
 * (config.sandbox is false there, and this module is then never imported).
 */
export async function createSandbox(log: Logger): Promise<Sandbox> {
  const keys = new ConnectInstallKeyServer();
  await keys.start();
  // ACE reads this on each install; in the sandbox the install keys come from the local key server.
  process.env.CONNECT_KEYS_CDN_URL = keys.url;
  const jira = new JiraConnectSimulator({ keys, appKey: APP_KEY, clientKey: 'sandbox-jira-site' });
  await jira.start();
  jira.addUser({ ...ADMIN, administrator: true });
  const bitbucket = new BitbucketSimulator();
  await bitbucket.start();
  bitbucket.addWorkspace({
    slug: DEMO.workspace,
    groups: DEMO.groups,
    oauthConsumers: [{ key: DEMO.oauthKey, secret: DEMO.oauthSecret }],
  });
  bitbucket.addWorkspace({
    slug: DEMO.empty.workspace,
    groups: [],
    oauthConsumers: [{ key: DEMO.empty.oauthKey, secret: DEMO.empty.oauthSecret }],
  });

  const extraRoutes = async (app: Express, appBaseUrl: string) => {
    const router = express.Router();
    router.get('/sandbox/api/state', (_req, res) => {
      res.json({
        siteUrl: jira.baseUrl,
        clientKey: jira.clientKey,
        adminAccountId: ADMIN.accountId,
        adminName: ADMIN.displayName,
        demo: {
          workspace: DEMO.workspace,
          oauthKey: DEMO.oauthKey,
          oauthSecret: DEMO.oauthSecret,
          badSecret: DEMO.badSecret,
          emptyWorkspace: DEMO.empty,
        },
        appPageUrl: '/connect/admin?sandbox=1',
        dialogUrl: '/connect/configure-automatic-access?sandbox=1',
        bitbucketInvitations: bitbucket.invitations(DEMO.workspace).length,
      });
    });
    router.post('/sandbox/api/context-token', (_req, res) => {
      res.json({ token: jira.contextToken(ADMIN.accountId) });
    });
    const newUser = z.object({
      displayName: z.string().trim().min(1, 'Enter a display name.').max(200),
      email: z.string().trim().email('Enter a valid email address.').max(320).optional().or(z.literal('').transform(() => undefined)),
    });
    router.post('/sandbox/api/users', express.json(), async (req, res, next) => {
      try {
        const parsed = newUser.safeParse(req.body);
        if (!parsed.success) return sendError(res, 400, 'The user is not valid.', fieldErrorsOf(parsed.error));
        const accountId = `sandbox-${randomUUID()}`;
        const user = {
          accountId,
          displayName: parsed.data.displayName,
          ...(parsed.data.email ? { emailAddress: parsed.data.email } : {}),
        };
        const sent = await jira.sendUserCreated(appBaseUrl, USER_CREATED_PATH, user);
        if (sent.status >= 300) return sendError(res, 502, `The app answered the user_created webhook with ${sent.status}.`);
        res.status(201).json({ accountId });
      } catch (error) {
        next(error);
      }
    });
    router.use('/sandbox', express.static(SANDBOX_DIST, { index: 'index.html' }));
    app.use(router);
  };

  return {
    appOptions: {
      extraRoutes,
      bitbucket: (throttle) => new BitbucketClient({ apiUrl: bitbucket.apiUrl, oauthTokenUrl: bitbucket.oauthTokenUrl, throttle }),
    },
    install: async (appBaseUrl) => {
      const status = await jira.install(appBaseUrl);
      if (status !== 204) throw new Error(`The sandbox could not install the app (HTTP ${status}): ${jira.lastResponse?.body ?? ''}`);
      log.info({ sandbox: `${appBaseUrl}/sandbox/` }, 'sandbox ready: open this page to click through the app');
    },
    stop: async () => {
      await Promise.all([jira.stop(), bitbucket.stop(), keys.stop()]);
    },
  };
}
