import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capabilitiesSchema } from '../../src/protocol/index.js';
import { RawProtocolClient } from '../../test/server/raw-protocol-client.js';
import { startTestServer, type TestServer } from '../../test/server/test-server.js';

// A rollout: app v3 is current, v2 may still pull during the grace period, v1 is gone, v4 is not
// deployed on this server yet.
let server: TestServer;
let token: string;

beforeAll(async () => {
  server = await startTestServer({ schemaVersions: { min: 2, minWritable: 3, max: 3 } });
  ({ token } = await server.admin.createUser('alice'));
});
afterAll(() => server?.close());

const pull = (version: number) =>
  new RawProtocolClient(server.url, token, version).pull({
    collection: 'customers',
    checkpoint: null,
    windowSize: 10,
  });
const push = (version: number, mutationId: number) =>
  new RawProtocolClient(server.url, token, version).push({
    clientId: `app-v${version}`,
    mutations: [
      { mutationId, collection: 'customers', id: `by-v${version}`, op: 'put', baseRev: null, value: {} },
    ],
  });

describe('client schema versions', () => {
  it('announces the accepted range and what the asking client may do', async () => {
    for (const [version, access] of [
      [1, 'none'],
      [2, 'read-only'],
      [3, 'read-write'],
      [4, 'none'],
    ] as const) {
      const { status, body } = await new RawProtocolClient(server.url, undefined, version).capabilities();
      expect(status).toBe(200);
      const caps = capabilitiesSchema.parse(body);
      expect(caps.schemaVersions).toEqual({ min: 2, minWritable: 3, max: 3 });
      expect(caps.client).toEqual({ schemaVersion: version, access });
    }
  });

  it('lets the current version pull and push', async () => {
    expect((await pull(3)).status).toBe(200);
    expect((await push(3, 1)).body.results[0]?.status).toBe('applied');
  });

  it('lets the previous version pull but refuses its pushes with UPGRADE_REQUIRED (read-only)', async () => {
    expect((await pull(2)).status).toBe(200);
    const { status, body } = await push(2, 1);
    expect(status).toBe(426);
    expect(body.error).toMatchObject({
      code: 'UPGRADE_REQUIRED',
      details: { access: 'read-only', clientSchemaVersion: 2, minWritableSchemaVersion: 3 },
    });
    expect(await server.admin.getRecord('customers', 'by-v2', 'alice')).toBeNull();
  });

  it('refuses a retired version everything with UPGRADE_REQUIRED (none)', async () => {
    const { status, body } = await pull(1);
    expect(status).toBe(426);
    expect(body.error).toMatchObject({
      code: 'UPGRADE_REQUIRED',
      details: { access: 'none', minSchemaVersion: 2 },
    });
  });

  it('tells a version newer than the server to come back later with SCHEMA_VERSION_TOO_NEW', async () => {
    const { status, body } = await pull(4);
    expect(status).toBe(409);
    expect(body.error).toMatchObject({ code: 'SCHEMA_VERSION_TOO_NEW', details: { maxSchemaVersion: 3 } });
    expect((await push(4, 1)).body.error.code).toBe('SCHEMA_VERSION_TOO_NEW');
  });
});
