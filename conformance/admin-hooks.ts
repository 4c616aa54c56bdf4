import type { ConformanceHooks } from './options.js';
import type { Wire } from './wire.js';

/**
 * Hooks over the reference server's `/admin` HTTP API (`Authorization: Bearer <admin token>`):
 * users, server-side edits and deletes, tombstone compaction with no retention, and token revocation.
 */
export function adminHooks(
  wire: Wire,
  admin: { token: string; url?: string },
  runId: string,
): ConformanceHooks {
  const base = admin.url ?? wire.baseUrl;
  let users = 0;
  const call = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const answer = await wire.send(method, `${base.replace(/\/+$/, '')}${path}`, {
      headers: { authorization: `Bearer ${admin.token}` },
      ...(body === undefined ? {} : { body }),
    });
    if (answer.status !== 200)
      throw new Error(`admin call ${method} ${path} answered ${answer.status}: ${answer.text.slice(0, 200)}`);
    return answer.json;
  };
  const record = (collection: string, id: string) =>
    `/admin/records/${encodeURIComponent(collection)}/${encodeURIComponent(id)}`;
  return {
    async createUser() {
      users += 1;
      const { userId, token } = (await call('POST', '/admin/users', {
        userId: `cf-${runId}-user-${users}`,
      })) as { userId: string; token: string };
      return { userId, token };
    },
    async putRecord({ collection, id, value, userId }) {
      await call('PUT', record(collection, id), {
        value,
        ...(userId === undefined ? {} : { owner: userId }),
      });
    },
    async deleteRecord({ collection, id, userId }) {
      await call(
        'DELETE',
        `${record(collection, id)}${userId === undefined ? '' : `?owner=${encodeURIComponent(userId)}`}`,
      );
    },
    async purgeTombstones() {
      await call('POST', '/admin/compact', { olderThanMs: 0 });
    },
    async revokeToken({ token }) {
      await call('POST', '/admin/revoke', { token });
    },
  };
}
