import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/test-app.js';
import { startSandboxApp, type SandboxApp } from '../support/sandbox-app.js';

type DemoOrganization = { name: string; apiKey: string; badApiKey: string; organizationId: string; directoryId: string };

/** The sandbox's simulated organization, clicked through its API as the page does. */
describe('the sandbox organization', () => {
  let sandbox: SandboxApp;
  const state = async () => await (await fetch(`${sandbox.baseUrl}/sandbox/api/state`)).json();
  const api = async (method: string, path: string, body?: unknown) => {
    const { token } = (await (await fetch(`${sandbox.baseUrl}/sandbox/api/context-token`, { method: 'POST' })).json()) as { token: string };
    const response = await fetch(`${sandbox.baseUrl}${path}`, {
      method,
      headers: { Authorization: `JWT ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: await response.json() };
  };

  beforeAll(async () => {
    sandbox = await startSandboxApp({ FORGE_APP_ID: 'ari:cloud:ecosystem::app/00000000-0000-4000-8000-000000000001' });
  });
  afterAll(() => sandbox?.stop());

  it('shows its demo API key with the other demo values, and an expired one to see a refusal', async () => {
    const demo = (await state()).demo.organization as DemoOrganization;
    expect(demo).toEqual({
      name: 'Acme Cloud',
      apiKey: expect.any(String),
      badApiKey: expect.any(String),
      organizationId: expect.any(String),
      directoryId: expect.any(String),
    });

    const refused = await api('POST', '/api/organizations/discover', { apiKey: demo.badApiKey });
    expect(refused.status).toBe(422);
    expect(refused.body.message).toMatch(/rejected the API key/);
  });

  it('is found by its key, shows the synced group and the group at its user limit, and adds a user the sandbox creates', async () => {
    const demo = (await state()).demo.organization as DemoOrganization;
    const found = await api('POST', '/api/organizations/discover', { apiKey: demo.apiKey });
    expect(found.body).toEqual({
      organizations: [{ id: demo.organizationId, name: 'Acme Cloud', directories: [{ id: demo.directoryId, name: 'Acme Cloud users' }] }],
    });
    const linked = await api('POST', '/api/linked-accounts', {
      targetType: 'atlassian-organization',
      organizationId: demo.organizationId,
      directoryId: demo.directoryId,
      credentials: { type: 'organization-api-key', apiKey: demo.apiKey },
    });
    expect(linked.status).toBe(201);
    const id = linked.body.linkedAccount.id as string;

    const groups = (await api('GET', `/api/linked-accounts/${id}/groups`)).body.groups as {
      slug: string;
      name: string;
      unavailableReason: string | null;
    }[];
    expect(groups.map((g) => [g.name, g.unavailableReason])).toEqual([
      ['Bitbucket users', null],
      ['Designers', null],
      ['Developers', null],
      ['Okta engineering', 'synced-group'],
      ['QA', null],
    ]);
    const developers = groups.find((g) => g.name === 'Developers')!.slug;
    const atLimit = groups.find((g) => g.name === 'Bitbucket users')!.slug;
    expect((await api('PUT', `/api/linked-accounts/${id}/default-groups`, { groups: [developers, atLimit] })).status).toBe(200);

    const created = await fetch(`${sandbox.baseUrl}/sandbox/api/users`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ displayName: 'Olga Org' }),
    });
    expect(created.status).toBe(201);
    const invitations = await eventually(
      async () => {
        const list = (await api('GET', '/api/invitations')).body.invitations as { groupName: string; status: string }[];
        return list.length === 2 && list.every((i) => i.status !== 'queued') ? list : undefined;
      },
      15_000,
      'the memberships of the new user',
    );
    expect(Object.fromEntries(invitations.map((i) => [i.groupName, i.status]))).toEqual({ Developers: 'sent', 'Bitbucket users': 'failed' });
    expect((await state()).organizationMemberships).toBe(1);
  });
});
