import { describe, expect, it } from 'vitest';
import { forgeContext, modalSize, type ForgeSite } from './forge-host';

const SITE: ForgeSite = {
  accountId: 'admin-1',
  cloudId: 'cloud-1',
  siteUrl: 'https://site.example',
  environmentId: 'ari:cloud:ecosystem::environment/app-uuid/env-uuid',
  environmentType: 'PRODUCTION',
  moduleKey: 'automatic-team-invitations-admin',
};

describe('forgeContext', () => {
  it('describes the admin page, without a modal key outside a modal', () => {
    const context = forgeContext(SITE, null);
    expect(context).toMatchObject({
      accountId: 'admin-1',
      cloudId: 'cloud-1',
      siteUrl: 'https://site.example',
      moduleKey: 'automatic-team-invitations-admin',
      localId: 'ari:cloud:ecosystem::extension/app-uuid/env-uuid/static/automatic-team-invitations-admin',
      extension: { type: 'jira:adminPage' },
    });
    expect(context.extension).not.toHaveProperty('modal');
  });

  it("puts the Modal's context under extension.modal", () => {
    const context = forgeContext(SITE, { context: { linkedAccountId: 'a', workspace: 'acme' } });
    expect(context.extension).toEqual({ type: 'jira:adminPage', modal: { linkedAccountId: 'a', workspace: 'acme' } });
  });
});

describe('modalSize', () => {
  it("uses Forge's documented sizes, medium by default", () => {
    expect(modalSize('small')).toEqual({ width: '400px', height: 'max(20vh, 320px)' });
    expect(modalSize('medium')).toEqual({ width: '600px', height: 'max(40vh, 520px)' });
    expect(modalSize(undefined)).toEqual(modalSize('medium'));
    expect(modalSize('enormous')).toEqual(modalSize('medium'));
  });

  it('takes custom dimensions', () => {
    expect(modalSize({ width: '700px', height: '300px' })).toEqual({ width: '700px', height: '300px' });
    expect(modalSize({ width: '50%' })).toEqual({ width: '50%', height: 'max(40vh, 520px)' });
  });
});
