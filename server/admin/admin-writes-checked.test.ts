import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../test/server/test-server.js';

const adminToken = 'admin-token-for-tests-0123456789';
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ adminToken, maxValueBytes: 4096 });
});
afterAll(() => server?.close());

const admin = (path: string, init: RequestInit = {}) =>
  fetch(server.url + path, {
    ...init,
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
  });

async function refused(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(await response.json()).toMatchObject({ error: { code } });
}

describe('/admin writes are checked like pushes', () => {
  it('answers a write to a per-user collection without owner with 400, not 500', async () => {
    await refused(
      await admin('/admin/records/work_orders/w1', {
        method: 'PUT',
        body: JSON.stringify({ value: { n: 1 } }),
      }),
      400,
      'INVALID_REQUEST',
    );
    await refused(await admin('/admin/records/work_orders/w1', { method: 'DELETE' }), 400, 'INVALID_REQUEST');
    expect(server.logs.filter((e) => e.level === 'error')).toEqual([]);
  });

  it('answers a body above the 1 MiB limit with 413 (a 2 MB body was accepted)', async () => {
    const body = JSON.stringify({ value: { blob: 'x'.repeat(2_000_000) }, owner: 'alice' });
    await refused(
      await admin('/admin/records/work_orders/big', { method: 'PUT', body }),
      413,
      'PAYLOAD_TOO_LARGE',
    );
    expect(await server.admin.getRecord('work_orders', 'big', 'alice')).toBeNull();
  });

  it('refuses values above maxValueBytes (413) or that the database cannot store (400), writing nothing', async () => {
    const put = (id: string, value: unknown) =>
      admin(`/admin/records/work_orders/${id}`, {
        method: 'PUT',
        body: JSON.stringify({ value, owner: 'alice' }),
      });
    await refused(await put('large', { blob: 'x'.repeat(5000) }), 413, 'PAYLOAD_TOO_LARGE');
    await refused(await put('nul', { title: 'a\u0000b' }), 400, 'INVALID_REQUEST');
    await refused(await put('surrogate', { title: '\udbff' }), 400, 'INVALID_REQUEST');
    expect(await server.admin.countRecords('work_orders', 'alice')).toBe(0);
    const ok = await put('fine', { title: 'fine' });
    expect(ok.status).toBe(200);
    expect(await server.admin.countRecords('work_orders', 'alice')).toBe(1);
  });
});
