import { describe, expect, it } from 'vitest';
import { escapeHtml, parseBody, toApiResult, toDialogData } from './api-result';
import { readHostChoice } from './choose-bridge';
import { fromInvokeError, fromInvokeResult } from './forge-response';

describe('toApiResult', () => {
  it('passes 2xx bodies through', () => {
    expect(toApiResult(200, { a: 1 })).toEqual({ ok: true, status: 200, body: { a: 1 } });
    expect(toApiResult(204, undefined)).toEqual({ ok: true, status: 204, body: undefined });
  });

  it("keeps the server's message and string field errors", () => {
    expect(toApiResult(422, { message: 'Bitbucket said no', fieldErrors: { 'credentials.secret': 'Wrong', n: 1 } })).toEqual({
      ok: false,
      status: 422,
      message: 'Bitbucket said no',
      fieldErrors: { 'credentials.secret': 'Wrong' },
    });
  });

  it("keeps the refusal's code, for the page to offer what fits it", () => {
    expect(toApiResult(422, { message: 'Managed in Atlassian Administration', code: 'workspace-admin-managed' })).toEqual({
      ok: false,
      status: 422,
      message: 'Managed in Atlassian Administration',
      code: 'workspace-admin-managed',
    });
    expect(toApiResult(422, { message: 'No', code: 7 })).toEqual({ ok: false, status: 422, message: 'No' });
  });

  it('never shows a message that quotes token material, whatever the server says', () => {
    const token = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJzaXRlIn0.c2lnbmF0dXJl';
    const result = toApiResult(401, { message: `Authentication failed: Signature verification failed for input: ${token}` });
    expect(result).toEqual({ ok: false, status: 401, message: 'Your session could not be verified. Reload the page and try again.' });
  });

  it('falls back to a sentence per status', () => {
    const result = toApiResult(403, '<html>');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(/Jira administrators/);
  });
});

describe('helpers', () => {
  it('parses empty and non-JSON bodies as undefined', () => {
    expect(parseBody('')).toBeUndefined();
    expect(parseBody('oops')).toBeUndefined();
    expect(parseBody('{"a":1}')).toEqual({ a: 1 });
  });

  it('accepts dialog data only with a linkedAccountId', () => {
    expect(toDialogData({ linkedAccountId: 'x', accountName: 'acme', targetType: 'bitbucket-workspace' })).toEqual({
      linkedAccountId: 'x',
      accountName: 'acme',
      targetType: 'bitbucket-workspace',
    });
    expect(toDialogData({ accountName: 'acme' })).toBeNull();
    expect(toDialogData(undefined)).toBeNull();
  });

  it("reads an organization's dialog data with the workspace to suggest groups from, and an unknown kind as a workspace", () => {
    expect(toDialogData({ linkedAccountId: 'o', accountName: 'Acme Cloud', targetType: 'atlassian-organization', suggestFrom: 'w' })).toEqual({
      linkedAccountId: 'o',
      accountName: 'Acme Cloud',
      targetType: 'atlassian-organization',
      suggestFrom: 'w',
    });
    expect(toDialogData({ linkedAccountId: 'x', targetType: 'other', suggestFrom: '' })).toEqual({
      linkedAccountId: 'x',
      accountName: '',
      targetType: 'bitbucket-workspace',
    });
  });

  it('escapes HTML', () => {
    expect(escapeHtml(`<b>"Tom" & 'Jerry'</b>`)).toBe('&lt;b&gt;&quot;Tom&quot; &amp; &#39;Jerry&#39;&lt;/b&gt;');
  });

  it('defaults to Forge and the page view', () => {
    expect(readHostChoice(undefined)).toEqual({ host: 'forge', view: 'page' });
    expect(readHostChoice({ host: 'connect', view: 'dialog' })).toEqual({ host: 'connect', view: 'dialog' });
    expect(readHostChoice({ host: 'other', view: 'x' })).toEqual({ host: 'forge', view: 'page' });
  });
});

describe('invokeRemote answers', () => {
  it('reads the @forge/bridge 7 shape {status, headers, body}', () => {
    expect(fromInvokeResult({ status: 201, headers: {}, body: { linkedAccount: { id: 'a' } } })).toEqual({
      ok: true,
      status: 201,
      body: { linkedAccount: { id: 'a' } },
    });
    expect(fromInvokeResult({ status: 409, headers: {}, body: { message: 'Already linked' } })).toEqual({
      ok: false,
      status: 409,
      message: 'Already linked',
    });
  });

  it('reads a bare body (the documented shape) as a success', () => {
    expect(fromInvokeResult({ linkedAccounts: [] })).toEqual({ ok: true, status: 200, body: { linkedAccounts: [] } });
    expect(fromInvokeResult(undefined)).toEqual({ ok: true, status: 200, body: undefined });
  });

  it('turns a rejection into an error result', () => {
    const fromJson = fromInvokeError(new Error('Remote answered 422: {"message":"Bitbucket refused"}'));
    expect(fromJson).toEqual({ ok: false, status: 422, message: 'Bitbucket refused' });
    const plain = fromInvokeError(new Error('Request failed with status code 502'));
    expect(plain.ok).toBe(false);
    if (!plain.ok) expect(plain.status).toBe(502);
    const unknown = fromInvokeError(new Error('socket hang up'));
    expect(unknown).toEqual({ ok: false, status: 0, message: 'socket hang up' });
    const quotingToken = fromInvokeError(new Error('Invalid token eyJhbGciOiJSUzI1NiJ9.eyJhcHAiOnt9fQ'));
    expect(quotingToken.ok).toBe(false);
    if (!quotingToken.ok) expect(quotingToken.message).not.toMatch(/eyJ/);
  });
});
