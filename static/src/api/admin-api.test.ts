import { describe, expect, it } from 'vitest';
import { invitationsPath } from './admin-api';

describe('invitationsPath', () => {
  it('leaves out empty filters', () => {
    expect(invitationsPath({ status: '', page: 1, pageSize: 25 })).toBe('/api/invitations?page=1&pageSize=25');
  });

  it('adds status and linked account', () => {
    expect(invitationsPath({ status: 'already-invited', linkedAccountId: 'a b', page: 2, pageSize: 25 })).toBe(
      '/api/invitations?status=already-invited&linkedAccountId=a+b&page=2&pageSize=25',
    );
  });
});
