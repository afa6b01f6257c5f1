// Throwaway dev server for eyeballing the UI: serves static/dist (the app), static/dist-sandbox
// (the sandbox host) and answers the admin API and the sandbox API from in-memory fixtures.
// Not part of any build. Usage (from the repository root, after both builds):
//   node static/dev/fixture-server.mjs [--port 3999] [--empty] [--fail]
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const port = Number(args[args.indexOf('--port') + 1]) || 3999;
const EMPTY = args.includes('--empty');
const FAIL = args.includes('--fail');
const staticDir = fileURLToPath(new URL('..', import.meta.url));

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png' };
const minutesAgo = (m) => new Date(Date.now() - m * 60_000).toISOString();

const GROUPS = [
  { slug: 'developers', name: 'Developers' },
  { slug: 'qa', name: 'QA' },
  { slug: 'administrators', name: 'Administrators' },
  { slug: 'contractors', name: 'Contractors' },
];

function account(workspace, extra = {}) {
  return {
    id: randomUUID(),
    targetType: 'bitbucket-workspace',
    workspace,
    displayName: workspace,
    url: `https://bitbucket.org/${workspace}`,
    credentialType: 'oauth-consumer',
    status: 'active',
    statusReason: null,
    defaultGroups: [],
    groupCount: GROUPS.length,
    groupsRefreshedAt: minutesAgo(30),
    lastInvitationSentAt: null,
    createdAt: minutesAgo(60 * 24 * 3),
    ...extra,
  };
}

const accounts = EMPTY
  ? []
  : [
      account('acme', { defaultGroups: GROUPS.slice(0, 2), lastInvitationSentAt: minutesAgo(4) }),
      account('globex', {
        credentialType: 'api-token',
        status: 'credentials-invalid',
        statusReason: 'Bitbucket rejected the API token (401). It may have expired or been revoked.',
        defaultGroups: [GROUPS[0]],
        lastInvitationSentAt: minutesAgo(60 * 26),
      }),
      account('initech', {
        status: 'invitations-refused',
        statusReason: 'This workspace is admin-managed: Bitbucket no longer accepts group invitations for it. Manage access in Atlassian Administration.',
      }),
    ];

const PEOPLE = ['Mia Krystof', 'Noah Lindqvist', 'Aiko Tanaka', 'Omar Haddad', 'Lena Fischer', 'Ravi Patel', 'Sofia Rossi', 'Jonas Berg', 'Chen Wei', 'Amara Okafor', 'Lucas Martin', 'Eva Novak'];
const STATUSES = ['sent', 'sent', 'already-invited', 'skipped', 'failed', 'sent', 'queued'];
const REASONS = {
  skipped: 'Jira did not share this user’s email address (profile visibility).',
  failed: 'Bitbucket answered 500 three times; gave up.',
  queued: 'Bitbucket rate limit reached; retrying.',
};
const invitations = [];
if (!EMPTY && accounts[0]) {
  for (let i = 0; i < 31; i += 1) {
    const person = PEOPLE[i % PEOPLE.length];
    const status = STATUSES[i % STATUSES.length];
    const group = GROUPS[i % 2];
    const acc = accounts[i % 5 === 4 ? 1 : 0];
    const created = minutesAgo(i * 37 + 2);
    invitations.push({
      id: randomUUID(),
      linkedAccountId: acc.id,
      workspace: acc.workspace,
      groupSlug: group.slug,
      groupName: group.name,
      accountId: `5b10a2844c2016570${String(i).padStart(7, '0')}`,
      displayName: person,
      email: status === 'skipped' ? null : `${person.split(' ')[0].toLowerCase()}@example.com`,
      status,
      reason: REASONS[status] ?? null,
      attempts: status === 'failed' ? 3 : 1,
      nextAttemptAt: status === 'queued' ? new Date(Date.now() + 90_000).toISOString() : null,
      createdAt: created,
      updatedAt: created,
      sentAt: status === 'sent' ? created : null,
    });
  }
}
const selected = new Map(accounts.map((a) => [a.id, new Set(a.defaultGroups.map((g) => g.slug))]));
const groupsOf = (id) => (accounts.find((a) => a.id === id)?.workspace === 'initech' ? [] : GROUPS);

function send(res, status, body) {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(body === undefined ? '' : JSON.stringify(body));
}

async function readJson(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : {};
}

async function serveFile(res, file, transform) {
  try {
    let data = await readFile(file);
    if (transform) data = transform(data.toString('utf8'));
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-store' });
    res.end(data);
  } catch {
    res.writeHead(404).end('not found');
  }
}

function appHtml(view) {
  return (html) =>
    html.replace(
      '<head>',
      `<head>\n    <base href="/app/" />\n    <script>window.__ATI_HOST__ = { host: 'connect', view: '${view}' };</script>\n    <script src="/sandbox/all.js"></script>`,
    );
}

// A crude window.__bridge so that the Forge path of the bundle can be smoke-tested.
function forgeSmokeHtml(dialog) {
  const modal = dialog ? JSON.stringify({ linkedAccountId: accounts[0]?.id ?? 'x', workspace: accounts[0]?.workspace ?? 'x' }) : 'undefined';
  return (html) =>
    html.replace(
      '<head>',
      `<head>
    <base href="/app/" />
    <script>
      window.__forgeLog = [];
      window.__bridge = { callBridge: async (name, payload) => {
        window.__forgeLog.push([name, payload && JSON.parse(JSON.stringify(payload, (k, v) => typeof v === 'function' ? '[fn]' : v))]);
        if (name === 'invoke') {
          const r = await fetch(payload.path, { method: payload.method, headers: { Authorization: 'JWT forge', 'Content-Type': 'application/json' }, body: payload.body === undefined ? undefined : JSON.stringify(payload.body) });
          const text = await r.text(); const body = text ? JSON.parse(text) : undefined;
          return r.ok ? { success: true, payload: { status: r.status, headers: {}, body } } : { success: false, error: { status: r.status, headers: {}, body } };
        }
        if (name === 'getContext') return { extension: { type: 'jira:adminPage', modal: ${modal} } };
        return true;
      } };
    </script>`,
    );
}

function validCredentials(c) {
  if (!c || typeof c !== 'object') return false;
  return c.type === 'oauth-consumer' ? Boolean(c.key && c.secret) : c.type === 'api-token' && Boolean(c.email && c.token);
}

function simulateInvitations(user) {
  for (const acc of accounts) {
    for (const slug of selected.get(acc.id) ?? []) {
      const group = GROUPS.find((g) => g.slug === slug);
      const now = new Date().toISOString();
      const inv = {
        id: randomUUID(), linkedAccountId: acc.id, workspace: acc.workspace, groupSlug: slug, groupName: group?.name ?? slug,
        accountId: user.accountId, displayName: user.displayName, email: user.email ?? null, status: 'queued', reason: null,
        attempts: 0, nextAttemptAt: null, createdAt: now, updatedAt: now, sentAt: null,
      };
      invitations.unshift(inv);
      setTimeout(() => {
        const done = new Date().toISOString();
        if (!inv.email) Object.assign(inv, { status: 'skipped', reason: REASONS.skipped, updatedAt: done });
        else Object.assign(inv, { status: 'sent', attempts: 1, sentAt: done, updatedAt: done });
        acc.lastInvitationSentAt = done;
      }, 6_000);
    }
  }
}

async function api(req, res, url) {
  if (!String(req.headers.authorization ?? '').startsWith('JWT ')) return send(res, 401, { message: 'Missing token.' });
  await new Promise((r) => setTimeout(r, 250));
  const parts = url.pathname.split('/').filter(Boolean); // api, ...
  const method = req.method;
  if (FAIL && method === 'GET' && !url.searchParams.has('refresh')) return send(res, 500, { message: 'The database is not reachable (fixture --fail).' });
  if (parts[1] === 'linked-accounts') {
    const acc = parts[2] ? accounts.find((a) => a.id === parts[2]) : undefined;
    if (parts[2] && !acc) return send(res, 404, { message: 'Unknown linked account.' });
    if (!parts[2] && method === 'GET') return send(res, 200, { linkedAccounts: accounts });
    if (!parts[2] && method === 'POST') {
      const body = await readJson(req);
      if (accounts.some((a) => a.workspace === body.workspace)) return send(res, 409, { message: `${body.workspace} is already linked.` });
      if (!validCredentials(body.credentials)) return send(res, 400, { message: 'Credentials are incomplete.' });
      if (body.credentials.secret === 'wrong-secret')
        return send(res, 422, { message: 'Bitbucket refused the credentials: invalid client secret.', fieldErrors: { 'credentials.secret': 'Bitbucket did not accept this secret.' } });
      const created = account(body.workspace, { credentialType: body.credentials.type, createdAt: new Date().toISOString() });
      accounts.push(created);
      selected.set(created.id, new Set());
      return send(res, 201, { linkedAccount: created });
    }
    if (method === 'DELETE' && !parts[3]) {
      accounts.splice(accounts.indexOf(acc), 1);
      return send(res, 204);
    }
    if (parts[3] === 'credentials' && method === 'PUT') {
      const body = await readJson(req);
      if (body.credentials?.secret === 'wrong-secret' || body.credentials?.token === 'wrong-secret')
        return send(res, 422, { message: 'Bitbucket refused the credentials.', fieldErrors: { 'credentials.token': 'Bitbucket did not accept this token.', 'credentials.secret': 'Bitbucket did not accept this secret.' } });
      Object.assign(acc, { status: 'active', statusReason: null, credentialType: body.credentials.type });
      return send(res, 200, { linkedAccount: acc });
    }
    if (parts[3] === 'groups' && method === 'GET') {
      if (acc.status === 'credentials-invalid' && url.searchParams.get('refresh') === 'true')
        return send(res, 422, { message: 'Bitbucket rejected the API token (401). Update the credentials and try again.' });
      const sel = selected.get(acc.id) ?? new Set();
      acc.groupsRefreshedAt = new Date().toISOString();
      return send(res, 200, { groups: groupsOf(acc.id).map((g) => ({ ...g, selected: sel.has(g.slug) })), refreshedAt: acc.groupsRefreshedAt });
    }
    if (parts[3] === 'default-groups' && method === 'PUT') {
      const body = await readJson(req);
      const bad = body.groups.find((s) => !GROUPS.some((g) => g.slug === s));
      if (bad) return send(res, 400, { message: `${acc.workspace} has no group "${bad}".` });
      selected.set(acc.id, new Set(body.groups));
      acc.defaultGroups = GROUPS.filter((g) => body.groups.includes(g.slug));
      return send(res, 200, { linkedAccount: acc });
    }
  }
  if (parts[1] === 'invitations') {
    if (!parts[2] && method === 'GET') {
      const status = url.searchParams.get('status');
      const page = Number(url.searchParams.get('page') ?? 1);
      const pageSize = Number(url.searchParams.get('pageSize') ?? 25);
      const all = invitations.filter((i) => !status || i.status === status);
      return send(res, 200, { invitations: all.slice((page - 1) * pageSize, page * pageSize), page, pageSize, total: all.length });
    }
    if (parts[3] === 'retry' && method === 'POST') {
      const inv = invitations.find((i) => i.id === parts[2]);
      if (!inv) return send(res, 404, { message: 'Unknown invitation.' });
      if (inv.status === 'sent') return send(res, 409, { message: 'Already sent.' });
      Object.assign(inv, { status: 'queued', reason: null, updatedAt: new Date().toISOString() });
      setTimeout(() => Object.assign(inv, { status: 'sent', sentAt: new Date().toISOString(), updatedAt: new Date().toISOString() }), 6_000);
      return send(res, 200, { invitation: inv });
    }
  }
  return send(res, 404, { message: 'No such endpoint.' });
}

function fakeJwt() {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ iss: 'sandbox', sub: 'admin', qsh: 'context-qsh', exp: Math.floor(Date.now() / 1000) + 900 })}.sig`;
}

createServer(async (req, res) => {
  const url = new URL(req.url, `http://localhost:${port}`);
  const path = url.pathname;
  try {
    if (path.startsWith('/api/')) return await api(req, res, url);
    if (path === '/sandbox/api/state')
      return send(res, 200, {
        siteUrl: 'https://sandbox.atlassian.net', clientKey: 'sandbox-client', adminAccountId: 'admin-1', adminName: 'Ada Admin',
        demo: { workspace: 'acme-demo', oauthKey: 'sbx-key-9d2f1c', oauthSecret: 'sbx-secret-51be0a77', badSecret: 'wrong-secret' },
        appPageUrl: '/connect/admin', dialogUrl: '/connect/configure-automatic-access',
      });
    if (path === '/sandbox/api/context-token' && req.method === 'POST') return send(res, 200, { token: fakeJwt() });
    if (path === '/sandbox/api/users' && req.method === 'POST') {
      const body = await readJson(req);
      if (!body.displayName) return send(res, 400, { message: 'displayName is required.' });
      const user = { accountId: `sbx-${randomUUID().slice(0, 8)}`, displayName: body.displayName, email: body.email };
      simulateInvitations(user);
      return send(res, 201, { accountId: user.accountId });
    }
    if (path === '/sandbox/all.js') return await serveFile(res, join(staticDir, 'sandbox/fake-all.js'));
    if (path === '/sandbox' || path === '/sandbox/') return await serveFile(res, join(staticDir, 'dist-sandbox/index.html'));
    if (path.startsWith('/sandbox/')) return await serveFile(res, join(staticDir, 'dist-sandbox', normalize(path.slice('/sandbox/'.length)).replace(/^(\.\.[/\\])+/, '')));
    if (path === '/connect/admin') return await serveFile(res, join(staticDir, 'dist/index.html'), appHtml('page'));
    if (path === '/connect/configure-automatic-access') return await serveFile(res, join(staticDir, 'dist/index.html'), appHtml('dialog'));
    if (path === '/forge-smoke' || path === '/forge-smoke-dialog')
      return await serveFile(res, join(staticDir, 'dist/index.html'), forgeSmokeHtml(path === '/forge-smoke-dialog'));
    if (path.startsWith('/app/')) return await serveFile(res, join(staticDir, 'dist', normalize(path.slice('/app/'.length)).replace(/^(\.\.[/\\])+/, '')));
    res.writeHead(302, { Location: '/sandbox/' }).end();
  } catch (error) {
    console.error(error);
    send(res, 500, { message: String(error) });
  }
}).listen(port, () => console.log(`fixture server on http://localhost:${port}/sandbox/`));
