import { describe, expect, it } from 'vitest';
import {
  MAX_LENGTH,
  emptyCredentialsForm,
  hasErrors,
  mapServerFieldErrors,
  toCredentials,
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
    expect(MAX_LENGTH).toEqual({ workspace: 62, key: 200, secret: 500, email: 320, token: 2000 });
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
    expect(errors).toEqual({ key: expect.stringMatching(/^The OAuth consumer key contains a character that cannot be stored/) });
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
});

describe('mapServerFieldErrors', () => {
  it('puts known keys next to their field and keeps the rest', () => {
    expect(mapServerFieldErrors({ 'credentials.secret': 'Wrong secret', workspace: 'Unknown', 'credentials.scope': 'Missing scope' })).toEqual({
      fields: { secret: 'Wrong secret', workspace: 'Unknown' },
      other: ['Missing scope'],
    });
    expect(mapServerFieldErrors(undefined)).toEqual({ fields: {}, other: [] });
  });
});
