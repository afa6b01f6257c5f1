import { describe, expect, it } from 'vitest';
import type { ApiResult, HostBridge } from './host-bridge';
import { withSharedReads } from './shared-reads';

/** A bridge whose answers come when the test says, counting what reached the server. */
function fakeBridge() {
  const calls: string[] = [];
  const pending: Array<() => void> = [];
  let answer = 0;
  const bridge = {
    request: <T>(method: string, path: string): Promise<ApiResult<T>> => {
      calls.push(`${method} ${path}`);
      const body = { n: ++answer } as T;
      return new Promise((resolve) => pending.push(() => resolve({ ok: true, status: 200, body })));
    },
  } as unknown as HostBridge;
  const answerAll = async () => {
    while (pending.length > 0) pending.shift()!();
    await new Promise((resolve) => setTimeout(resolve, 0));
  };
  return { bridge, calls, answerAll };
}

describe('withSharedReads', () => {
  it('lets a GET asked while the same GET is on its way join it, and asks again once it has come', async () => {
    const fake = fakeBridge();
    const shared = withSharedReads(fake.bridge);
    const first = shared.request('GET', '/api/linked-accounts');
    const second = shared.request('GET', '/api/linked-accounts');
    const other = shared.request('GET', '/api/site-status');
    await fake.answerAll();
    expect(await first).toEqual(await second);
    expect(await other).not.toEqual(await first);
    expect(fake.calls).toEqual(['GET /api/linked-accounts', 'GET /api/site-status']);
    void shared.request('GET', '/api/linked-accounts');
    expect(fake.calls).toHaveLength(3);
  });

  it('never lets a GET asked after a write join a read started before it', async () => {
    const fake = fakeBridge();
    const shared = withSharedReads(fake.bridge);
    const before = shared.request('GET', '/api/linked-accounts');
    void shared.request('PUT', '/api/linked-accounts/a/default-groups', { groups: [] });
    const after = shared.request('GET', '/api/linked-accounts');
    await fake.answerAll();
    expect(await after).not.toEqual(await before);
    expect(fake.calls).toEqual(['GET /api/linked-accounts', 'PUT /api/linked-accounts/a/default-groups', 'GET /api/linked-accounts']);
  });

  it('hands a primed answer, even one already come, to the sections that ask in the same moment, and to no later one', async () => {
    const fake = fakeBridge();
    const shared = withSharedReads(fake.bridge);
    const primed = shared.prime((reads) => reads.request('GET', '/api/invitations?page=1&pageSize=25'));
    await fake.answerAll();
    const [a, b] = [shared.request('GET', '/api/invitations?page=1&pageSize=25'), shared.request('GET', '/api/invitations?page=1&pageSize=25')];
    expect(await a).toEqual(await primed);
    expect(await b).toEqual(await primed);
    expect(fake.calls).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 0));
    void shared.request('GET', '/api/invitations?page=1&pageSize=25');
    expect(fake.calls).toHaveLength(2);
  });

  it('drops primed answers on a write', async () => {
    const fake = fakeBridge();
    const shared = withSharedReads(fake.bridge);
    void shared.prime((reads) => reads.request('GET', '/api/linked-accounts'));
    await fake.answerAll();
    void shared.request('POST', '/api/linked-accounts', {});
    void shared.request('GET', '/api/linked-accounts');
    expect(fake.calls).toEqual(['GET /api/linked-accounts', 'POST /api/linked-accounts', 'GET /api/linked-accounts']);
  });
});
