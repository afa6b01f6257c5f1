import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import path from 'node:path';
import express, { type RequestHandler, type Router } from 'express';
import { z } from 'zod';
import { BitbucketClient } from '../../clients/bitbucket/bitbucket-client.js';
import type { AppOptions } from '../../app.js';
import type { Config } from '../../config.js';
import type { Logger } from '../../logger.js';
import { AtlassianAdminSimulator } from '../../../test/support/simulators/atlassian-admin-simulator.js';
import { BitbucketSimulator } from '../../../test/support/simulators/bitbucket-simulator.js';
import { ConnectInstallKeyServer } from '../../../test/support/simulators/connect-install-keys.js';
import { ForgeSimulator, readManifestRoutes } from '../../../test/support/simulators/forge-simulator.js';
import { JiraConnectSimulator } from '../../../test/support/simulators/jira-connect-simulator.js';
import { asyncRoute } from '../api/async-route.js';
import { fieldErrorsOf, sendError } from '../api/http-errors.js';
import { USER_DELETED_PATH } from '../connect/user-deleted-webhook.js';
import { USER_CREATED_PATH } from '../connect/user-created-webhook.js';
import { cspNonce } from '../security-headers.js';
import { renderShell } from '../ui-shell.js';

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
  /**
   * The organization the demo workspace would move to: its groups keep the workspace's names, and
   * two more show what an app may not fill (one synced from an identity provider, one whose app has
   * no seat left). Every user the sandbox creates is a user of its directory.
   */
  organization: {
    id: '5f2c8a1e-7d3b-4e9a-b6c4-2a1d0e9f8b7c',
    name: 'Acme Cloud',
    directoryId: '9b1e4d7a-3c2f-4a8e-8d5b-6f0a1c2e3d4b',
    directoryName: 'Acme Cloud users',
    apiKey: 'sandbox-organization-api-key',
    badApiKey: 'expired-organization-api-key',
    groups: [
      { id: 'sandbox-grp-developers', name: 'Developers', description: 'Everyone who writes code' },
      { id: 'sandbox-grp-qa', name: 'QA' },
      { id: 'sandbox-grp-designers', name: 'Designers' },
      { id: 'sandbox-grp-okta', name: 'Okta engineering', description: 'Synced from your identity provider', externalSynced: true },
      { id: 'sandbox-grp-bitbucket-users', name: 'Bitbucket users', description: 'Grants Bitbucket: no seat left', atUserLimit: true },
    ],
  },
};
const ADMIN = { accountId: 'sandbox-admin', displayName: 'Sandbox Admin', emailAddress: 'admin@sandbox.example' };

/**
 * The Forge site the sandbox plays. Fixed ids, so that a restarted sandbox finds its Forge tenant
 * (and what was configured through it) again, as the Connect site's fixed clientKey does.
 */
const FORGE = {
  appId: 'ari:cloud:ecosystem::app/5a9d6c2e-8f41-4b7a-9e3d-1c0b7f2a6e58',
  cloudId: '3f6c2a1e-9b7d-4c5e-8a2f-0d1e4b7c9a63',
  siteUrl: 'https://sandbox.atlassian.invalid',
  installationId: 'ari:cloud:ecosystem::installation/8c1d4e7a-2b5f-4a9c-b3e6-7f0a1d2c5b84',
  /** The manifest's jira:adminPage module the sandbox shows. */
  moduleKey: 'automatic-team-invitations-admin',
  /** Served as the Custom UI resource (page and modal), with the @forge/bridge stand-in. */
  appPageUrl: '/sandbox/forge-app',
  bridgeScriptUrl: '/sandbox/forge-bridge.js',
};
/**
 * The sandbox hands out admin tokens without a login: it answers only a browser on this machine
 * talking to localhost. The app listens on loopback while the sandbox is on; the Host check keeps
 * out a page elsewhere that points its own name at 127.0.0.1, or a proxy on this machine that
 * forwards the world to it. The client address is req.ip, so with TRUST_PROXY set it is the one
 * the trusted proxy reports.
 */
const onlyFromThisMachine: RequestHandler = (req, res, next) => {
  if (isLoopbackAddress(req.ip) && isLoopbackHost(req.headers.host)) return next();
  sendError(res, 403, 'The sandbox answers only on this machine: open it at http://localhost.');
};

function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  return v4 === '::1' || (isIP(v4) === 4 && v4.startsWith('127.'));
}

function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '');
  return name === 'localhost' || isLoopbackAddress(name);
}

/** Forge hands the remote a new app token long before the old one (an hour) expires. */
const APP_TOKEN_REFRESH_MS = 30 * 60_000;
const NOT_PLAYING_FORGE = 'The sandbox does not play Forge: FORGE_APP_ID is set, so the app only accepts tokens of that Forge app.';

export type Sandbox = {
  appOptions: Pick<AppOptions, 'bitbucket' | 'extraRoutes'>;
  /**
   * The app's configuration with the sandbox's simulated Atlassian Administration, and its Forge
   * site: its app id and key set, so the app accepts the tokens the sandbox signs. Left as it is when FORGE_APP_ID is set explicitly (the
   * sandbox then plays Connect only). Call it before starting the app.
   */
  configure: (config: Config) => Config;
  /** Installs the sandbox's Jira site into the running app (through Connect, and through Forge when played). */
  install: (appBaseUrl: string) => Promise<void>;
  stop: () => Promise<void>;
};

/**
 * The newcomer's first look, without a real Jira: a simulated Jira site installs the app, a
 * simulated Bitbucket with a demo workspace takes the invitations, and a simulated Atlassian
 * Administration with a demo organization takes the memberships. The site is played both as a
 * Forge host (the default page, /sandbox/, when this server plays Forge: Forge Invocation Tokens
 * from a local key set, a stand-in for @forge/bridge in the page) and as a Connect host
 * (/sandbox/?host=connect). Never part of
 * production (config.sandbox is false there, and this module is then never imported).
 */
export async function createSandbox(log: Logger): Promise<Sandbox> {
  const keys = new ConnectInstallKeyServer();
  await keys.start();
  // ACE reads this on each install; in the sandbox the install keys come from the local key server.
  process.env.CONNECT_KEYS_CDN_URL = keys.url;
  const jira = new JiraConnectSimulator({ keys, appKey: APP_KEY, clientKey: 'sandbox-jira-site' });
  await jira.start();
  jira.addUser({ ...ADMIN, administrator: true });
  const forge = new ForgeSimulator({
    appId: FORGE.appId,
    routes: await readManifestRoutes(),
    site: { cloudId: FORGE.cloudId, siteUrl: FORGE.siteUrl, installationId: FORGE.installationId },
  });
  await forge.start();
  forge.addUser({ ...ADMIN, administrator: true });
  let appTokenIssuedAt = Date.now();
  /** Real Forge sends a fresh app token with each call; the simulator's lives an hour, so renew it in time. */
  const freshAppToken = async () => {
    if (Date.now() - appTokenIssuedAt < APP_TOKEN_REFRESH_MS) return;
    await forge.rotateAppToken();
    appTokenIssuedAt = Date.now();
  };
  let playsForge = false;
  /** What reached the app through each host's path (the browser test checks which one was used). */
  const counters = { contextTokens: 0, forgeInvocations: 0, forgeInvocationsRefused: 0 };
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
  const admin = new AtlassianAdminSimulator();
  await admin.start();
  const organization = DEMO.organization;
  admin.addOrganization({
    id: organization.id,
    name: organization.name,
    directories: [{ id: organization.directoryId, name: organization.directoryName, users: [ADMIN.accountId], groups: organization.groups }],
  });
  admin.addApiKey(organization.apiKey, [organization.id]);
  // Known to Atlassian but expired: linking with it shows how a refused key reads.
  admin.addApiKey(organization.badApiKey, [organization.id]);
  admin.revokeApiKey(organization.badApiKey);

  const extraRoutes = (app: Router, appBaseUrl: string) => {
    const router = express.Router();
    router.use('/sandbox', onlyFromThisMachine);
    // A person who opens the app's bare address is looking for the sandbox.
    router.get('/', (_req, res) => res.redirect(302, '/sandbox/'));
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
          organization: {
            name: organization.name,
            apiKey: organization.apiKey,
            badApiKey: organization.badApiKey,
            organizationId: organization.id,
            directoryId: organization.directoryId,
          },
        },
        appPageUrl: '/connect/admin?sandbox=1',
        dialogUrl: '/connect/configure-automatic-access?sandbox=1',
        bitbucketInvitations: bitbucket.invitations(DEMO.workspace).length,
        organizationMemberships: organization.groups.reduce((sum, group) => sum + admin.members(organization.id, group.id).length, 0),
        contextTokensIssued: counters.contextTokens,
        forge: playsForge
          ? {
              appPageUrl: FORGE.appPageUrl,
              siteUrl: forge.siteUrl,
              cloudId: forge.cloudId,
              environmentId: forge.environmentId,
              environmentType: 'PRODUCTION', // what the simulator's tokens say
              moduleKey: FORGE.moduleKey,
              /** invokeRemote calls made to the app with a Forge Invocation Token, and how many it refused (401). */
              invocations: counters.forgeInvocations,
              refusedInvocations: counters.forgeInvocationsRefused,
            }
          : { unavailable: NOT_PLAYING_FORGE },
      });
    });
    router.post('/sandbox/api/context-token', (_req, res) => {
      counters.contextTokens += 1;
      res.json({ token: jira.contextToken(ADMIN.accountId) });
    });

    // --- Forge: the Custom UI resource with a stand-in for @forge/bridge, and Forge's side of invokeRemote.
    router.get(FORGE.appPageUrl, (_req, res) => {
      res.type('html').send(renderShell(null, FORGE.bridgeScriptUrl, cspNonce(res)));
    });
    const forgeInvocation = z.object({
      path: z
        .string()
        .regex(/^\/[^\s\\]*$/, 'A path on the remote, starting with /.')
        .max(2000),
      method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']),
      body: z.unknown().optional(),
    });
    /**
     * What Forge does with the page's invokeRemote({path, method, body}): it calls the remote's
     * admin-api endpoint with a Forge Invocation Token naming the user (the sandbox's admin) and the
     * app token, then hands back {status, headers, body}, or refuses the answers its docs say it
     * rejects (a 401, a non-2xx without a JSON body), here as a 502 with Forge's message.
     */
    router.post(
      '/sandbox/api/forge-invoke',
      express.json(),
      asyncRoute(async (req, res, next) => {
        try {
          if (!playsForge) return sendError(res, 409, NOT_PLAYING_FORGE);
          const parsed = forgeInvocation.safeParse(req.body);
          if (!parsed.success) return sendError(res, 400, 'The invocation is not valid.', fieldErrorsOf(parsed.error));
          await freshAppToken();
          const { path: remotePath, method, body } = parsed.data;
          const answer = await forge.invokeRemote(appBaseUrl, { path: remotePath, method, body, accountId: ADMIN.accountId });
          counters.forgeInvocations += 1;
          if (answer.status === 401) {
            counters.forgeInvocationsRefused += 1;
            return sendError(res, 502, 'Remote could not verify the Forge Invocation Token');
          }
          const jsonBody = typeof answer.body === 'object' && answer.body !== null;
          if (answer.status >= 300 && !jsonBody) return sendError(res, 502, 'Invalid response from remote');
          const answered: unknown = answer.body;
          res.json({ status: answer.status, headers: {}, ...(answered === null ? {} : { body: answered }) });
        } catch (error) {
          next(error);
        }
      }),
    );

    const newUser = z.object({
      displayName: z.string().trim().min(1, 'Enter a display name.').max(200),
      email: z
        .string()
        .trim()
        .email('Enter a valid email address.')
        .max(320)
        .optional()
        .or(z.literal('').transform(() => undefined)),
      /** Which host tells the app: Connect's user_created webhook, or Forge's avi:jira:created:user event. */
      host: z.enum(['connect', 'forge']).default('connect'),
    });
    router.post(
      '/sandbox/api/users',
      express.json(),
      asyncRoute(async (req, res, next) => {
        try {
          const parsed = newUser.safeParse(req.body);
          if (!parsed.success) return sendError(res, 400, 'The user is not valid.', fieldErrorsOf(parsed.error));
          const accountId = `sandbox-${randomUUID()}`;
          // The same person in the organization's directory, as Atlassian accounts are, so memberships succeed.
          admin.addUsers(organization.id, organization.directoryId, [accountId]);
          const user = {
            accountId,
            displayName: parsed.data.displayName,
            ...(parsed.data.email ? { emailAddress: parsed.data.email } : {}),
          };
          if (parsed.data.host === 'forge') {
            if (!playsForge) return sendError(res, 409, NOT_PLAYING_FORGE);
            await freshAppToken();
            const sent = await forge.sendUserCreated(appBaseUrl, user);
            if (sent.status >= 300) return sendError(res, 502, `The app answered the avi:jira:created:user event with ${sent.status}.`);
          } else {
            const sent = await jira.sendUserCreated(appBaseUrl, USER_CREATED_PATH, user);
            if (sent.status >= 300) return sendError(res, 502, `The app answered the user_created webhook with ${sent.status}.`);
          }
          res.status(201).json({ accountId });
        } catch (error) {
          next(error);
        }
      }),
    );
    // Offboarding: Jira deletes a user (and says so with its event), or deactivates one (no event: the app's check finds it).
    router.post(
      '/sandbox/api/users/:accountId/:change',
      express.json(),
      asyncRoute(async (req, res) => {
        const accountId = String(req.params.accountId);
        const change = req.params.change;
        const host = (req.body as { host?: unknown } | undefined)?.host === 'forge' ? 'forge' : 'connect';
        if (change === 'deactivate' || change === 'reactivate') {
          for (const site of [jira, forge]) site.directory[change](accountId);
          return res.json({ accountId, change });
        }
        if (change !== 'delete') return sendError(res, 404, 'A sandbox user can be deleted, deactivated or reactivated.');
        if (host === 'forge') await freshAppToken();
        const sent =
          host === 'forge'
            ? await forge.sendUserDeleted(appBaseUrl, accountId)
            : await jira.sendUserDeleted(appBaseUrl, USER_DELETED_PATH, accountId);
        if (sent.status >= 300) return sendError(res, 502, `The app answered the user-deleted event with ${sent.status}.`);
        res.json({ accountId, change });
      }),
    );
    router.use('/sandbox', express.static(SANDBOX_DIST, { index: 'index.html' }));
    app.use(router);
  };

  return {
    appOptions: {
      extraRoutes,
      bitbucket: (throttle) => new BitbucketClient({ apiUrl: bitbucket.apiUrl, oauthTokenUrl: bitbucket.oauthTokenUrl, throttle }),
    },
    configure: (given) => {
      const config = { ...given, atlassianAdmin: { ...given.atlassianAdmin, apiUrl: admin.apiUrl } };
      if (config.forge.appId) {
        log.info('FORGE_APP_ID is set: the sandbox plays Connect only');
        playsForge = false;
        return config;
      }
      playsForge = true;
      return { ...config, forge: { appId: forge.appId, jwksUrl: forge.jwksUrl, apiOrigins: [forge.url] } };
    },
    install: async (appBaseUrl) => {
      const status = await jira.install(appBaseUrl);
      if (status !== 204) throw new Error(`The sandbox could not install the app (HTTP ${status}): ${jira.lastResponse?.body ?? ''}`);
      if (playsForge) {
        const installed = await forge.sendInstalled(appBaseUrl);
        if (installed.status !== 200) {
          throw new Error(`The sandbox could not install the app through Forge (HTTP ${installed.status}): ${JSON.stringify(installed.body)}`);
        }
      }
      // New sites install through Forge: the sandbox page plays Forge when it can.
      log.info(
        playsForge
          ? { sandbox: `${appBaseUrl}/sandbox/`, host: 'forge', connect: `${appBaseUrl}/sandbox/?host=connect` }
          : { sandbox: `${appBaseUrl}/sandbox/`, host: 'connect' },
        'sandbox ready: open this page to click through the app',
      );
    },
    stop: async () => {
      await Promise.all([jira.stop(), forge.stop(), bitbucket.stop(), admin.stop(), keys.stop()]);
    },
  };
}
