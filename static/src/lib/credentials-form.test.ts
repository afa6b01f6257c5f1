import { describe, expect, it } from 'vitest';
import type { DiscoveredOrganization } from '../api/types';
import {
  MAX_LENGTH,
  MESSAGES,
  chooseOrganization,
  discoveredFor,
  emptyCredentialsForm,
  hasErrors,
  mapServerFieldErrors,
  needsDiscovery,
  toCredentials,
  toLinkRequest,
  validateApiKey,
  validateCredentialsForm,
  workspaceSlug,
} from './credentials-form';

describe('validateCredentialsForm', () => {
  it('requires the workspace and both OAuth fields', () => {
    const errors = validateCredentialsForm(emptyCredentialsForm());
    expect(Object.keys(errors).sort()).toEqual(['key', 'secret', 'workspace']);
  });

  it('accepts a valid OAuth consumer form', () => {
    const errors = validateCredentialsForm({ ...emptyCredentialsForm('Acme_Demo-2'), key: 'k', secret: 's' });
    expect(hasErrors(errors)).toBe(false);
  });

  it('rejects a workspace slug with spaces, slashes or dots', () => {
    for (const workspace of ['acme demo', 'acme/demo', 'acme.demo', 'https://bitbucket.org/acme']) {
      const errors = validateCredentialsForm({ ...emptyCredentialsForm(workspace), key: 'k', secret: 's' });
      expect(errors.workspace).toMatch(/letters, numbers/);
    }
  });

  it('requires email and token for an API token and checks the email', () => {
    const base = { ...emptyCredentialsForm('acme'), type: 'api-token' as const };
    expect(Object.keys(validateCredentialsForm(base)).sort()).toEqual(['email', 'token']);
    expect(validateCredentialsForm({ ...base, email: 'mia@', token: 't' }).email).toMatch(/valid email/);
    expect(hasErrors(validateCredentialsForm({ ...base, email: 'mia@example.com', token: 't' }))).toBe(false);
  });

  it('stops each field at the length the server accepts, and says so in the words the server uses', () => {
    const base = { ...emptyCredentialsForm('acme'), key: 'k', secret: 's' };
    expect(MAX_LENGTH).toEqual({ workspace: 62, key: 200, secret: 500, email: 320, token: 2000, apiKey: 2000 });
    expect(validateCredentialsForm({ ...base, workspace: 'a'.repeat(62) }).workspace).toBeUndefined();
    expect(validateCredentialsForm({ ...base, workspace: 'a'.repeat(63) }).workspace).toBe(
      'The workspace ID is too long: use at most 62 characters.',
    );
    expect(validateCredentialsForm({ ...base, secret: 's'.repeat(501) }).secret).toBe(
      'The OAuth consumer secret is too long: use at most 500 characters.',
    );
    const token = { ...emptyCredentialsForm('acme'), type: 'api-token' as const, email: 'a@b.co', token: 't'.repeat(2001) };
    expect(validateCredentialsForm(token).token).toBe('The API token is too long: use at most 2000 characters.');
  });

  it('refuses a pasted value with a null character, which the server cannot store', () => {
    const errors = validateCredentialsForm({ ...emptyCredentialsForm('acme'), key: 'k\u0000ey', secret: 's' });
    expect(Object.keys(errors)).toEqual(['key']);
    expect(errors.key).toMatch(/^The OAuth consumer key contains a character that cannot be stored/);
  });

  it('ignores the fields of the other credential type', () => {
    const values = { ...emptyCredentialsForm('acme'), type: 'api-token' as const, email: 'a@b.co', token: 't', key: '' };
    expect(hasErrors(validateCredentialsForm(values))).toBe(false);
  });
});

describe('payload', () => {
  it('trims values, lower-cases the slug and sends only the chosen credential type', () => {
    const values = { ...emptyCredentialsForm(' Acme '), key: ' k ', secret: ' s ', email: 'x@y.z', token: 't' };
    expect(workspaceSlug(values)).toBe('acme');
    expect(toCredentials(values)).toEqual({ type: 'oauth-consumer', key: 'k', secret: 's' });
    expect(toCredentials({ ...values, type: 'api-token' })).toEqual({ type: 'api-token', email: 'x@y.z', token: 't' });
  });

  it('links a workspace with its target type, slug and credentials', () => {
    const values = { ...emptyCredentialsForm(' Acme '), key: ' k ', secret: ' s ', apiKey: 'left over' };
    expect(toLinkRequest(values)).toEqual({
      targetType: 'bitbucket-workspace',
      workspace: 'acme',
      credentials: { type: 'oauth-consumer', key: 'k', secret: 's' },
    });
  });

  it('links an organization with its id, its directory and the trimmed API key, and nothing of the workspace fields', () => {
    const values = {
      ...emptyCredentialsForm('acme', 'atlassian-organization'),
      key: 'k',
      apiKey: ' key-1 ',
      organizationId: 'org-1',
      directoryId: 'dir-1',
    };
    expect(toLinkRequest(values)).toEqual({
      targetType: 'atlassian-organization',
      organizationId: 'org-1',
      directoryId: 'dir-1',
      credentials: { type: 'organization-api-key', apiKey: 'key-1' },
    });
    expect(toCredentials(values)).toEqual({ type: 'organization-api-key', apiKey: 'key-1' });
  });
});

const ACME: DiscoveredOrganization = { id: 'org-1', name: 'Acme Cloud', directories: [{ id: 'dir-1', name: 'Acme Cloud' }] };
const GLOBEX: DiscoveredOrganization = {
  id: 'org-2',
  name: 'Globex',
  directories: [
    { id: 'dir-2', name: 'Employees' },
    { id: 'dir-3', name: 'Contractors' },
  ],
};

describe('linking an organization', () => {
  const form = (apiKey = 'key-1') => ({ ...emptyCredentialsForm('', 'atlassian-organization'), apiKey });

  it('asks only for the API key, in a sentence, before finding organizations', () => {
    expect(validateCredentialsForm(form(''))).toEqual({ apiKey: 'Enter the organization API key.' });
    expect(validateApiKey('  ')).toBe('Enter the organization API key.');
    expect(validateApiKey('k'.repeat(2001))).toBe('The API key is too long: use at most 2000 characters.');
    expect(validateApiKey('k\u0000')).toMatch(/^The API key contains a character that cannot be stored/);
    expect(validateCredentialsForm(form())).toEqual({});
  });

  it('finds organizations first, and again once the key changed', () => {
    const discovery = { apiKey: 'key-1', organizations: [ACME] };
    expect(needsDiscovery(form(), 'link', null)).toBe(true);
    expect(discoveredFor(form(' key-1 '), discovery)).toEqual([ACME]);
    expect(needsDiscovery(form(), 'link', discoveredFor(form(), discovery))).toBe(false);
    expect(discoveredFor(form('key-2'), discovery)).toBeNull();
    // Updating the key of a linked organization, or linking a workspace, finds nothing.
    expect(needsDiscovery(form(), 'update', null)).toBe(false);
    expect(needsDiscovery(emptyCredentialsForm('acme'), 'link', null)).toBe(false);
  });

  it('chooses the only organization and its only directory by itself', () => {
    expect(chooseOrganization(form(), [ACME])).toMatchObject({ organizationId: 'org-1', directoryId: 'dir-1' });
    expect(hasErrors(validateCredentialsForm(chooseOrganization(form(), [ACME]), 'link', [ACME]))).toBe(false);
  });

  it('leaves the choice to the admin among several organizations, and among several directories', () => {
    const several = [ACME, GLOBEX];
    expect(chooseOrganization(form(), several)).toMatchObject({ organizationId: '', directoryId: '' });
    expect(validateCredentialsForm(chooseOrganization(form(), several), 'link', several)).toEqual({
      organization: 'Choose the organization to link.',
    });
    const globex = chooseOrganization(form(), several, 'org-2');
    expect(globex).toMatchObject({ organizationId: 'org-2', directoryId: '' });
    expect(validateCredentialsForm(globex, 'link', several)).toEqual({ directory: 'Choose the directory whose users join the groups.' });
    expect(validateCredentialsForm({ ...globex, directoryId: 'dir-3' }, 'link', several)).toEqual({});
    // A directory of another organization is no choice.
    expect(validateCredentialsForm({ ...globex, directoryId: 'dir-1' }, 'link', several).directory).toBeDefined();
    // Going back to Acme picks its only directory again.
    expect(chooseOrganization({ ...globex, directoryId: 'dir-3' }, several, 'org-1')).toMatchObject({
      organizationId: 'org-1',
      directoryId: 'dir-1',
    });
  });

  it('says what to do when the key sees no organization, or no directory of the one chosen', () => {
    expect(validateCredentialsForm(form(), 'link', [])).toEqual({ apiKey: MESSAGES.noOrganization });
    expect(MESSAGES.noOrganization).toMatch(/admin\.atlassian\.com → Settings → API keys/);
    const empty = { id: 'org-3', name: 'Empty', directories: [] };
    expect(validateCredentialsForm(chooseOrganization(form(), [empty]), 'link', [empty])).toEqual({ organization: MESSAGES.noDirectory });
  });

  it('asks only for a new API key when updating the credentials of a linked organization', () => {
    const update = { ...emptyCredentialsForm('', 'atlassian-organization') };
    expect(validateCredentialsForm(update, 'update')).toEqual({ apiKey: 'Enter the organization API key.' });
    expect(validateCredentialsForm({ ...update, apiKey: 'new-key' }, 'update')).toEqual({});
  });

  it('asks for the credentials, not the read-only workspace, when updating a linked workspace', () => {
    expect(validateCredentialsForm(emptyCredentialsForm(''), 'update')).toEqual({ key: MESSAGES.keyMissing, secret: MESSAGES.secretMissing });
  });
});

describe('mapServerFieldErrors', () => {
  it('puts known keys next to their field and keeps the rest', () => {
    expect(mapServerFieldErrors({ 'credentials.secret': 'Wrong secret', workspace: 'Unknown', 'credentials.scope': 'Missing scope' })).toEqual({
      fields: { secret: 'Wrong secret', workspace: 'Unknown' },
      other: ['Missing scope'],
    });
    expect(mapServerFieldErrors(undefined)).toEqual({ fields: {}, other: [] });
  });

  it("puts an organization link's errors next to the API key, the organization and the directory", () => {
    expect(
      mapServerFieldErrors({ 'credentials.apiKey': 'Expired key', organizationId: 'No such organization', directoryId: 'No such directory' }),
    ).toEqual({ fields: { apiKey: 'Expired key', organization: 'No such organization', directory: 'No such directory' }, other: [] });
    // POST /api/organizations/discover names the key at the top level.
    expect(mapServerFieldErrors({ apiKey: 'Too long' })).toEqual({ fields: { apiKey: 'Too long' }, other: [] });
  });
});
