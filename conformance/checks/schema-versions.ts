import { capabilitiesSchema } from '../../src/protocol/messages.js';
import { PROTOCOL_HEADERS, PROTOCOL_PATHS } from '../../src/protocol/version.js';
import { check, fail, skip } from '../check.js';
import type { CheckContext } from '../context.js';
import { expectDetails, expectError } from '../expect.js';
import { okBody } from '../protocol-client.js';

/** The capabilities must tell a client of `version` that its access is `access`. */
async function expectAccess(ctx: CheckContext, version: number, access: string) {
  const answer = await ctx.wire.send('GET', PROTOCOL_PATHS.capabilities, {
    headers: { [PROTOCOL_HEADERS.schemaVersion]: String(version) },
  });
  const caps = okBody(
    answer,
    capabilitiesSchema,
    `reading the capabilities as schema version ${version}`,
    'Capabilities',
  );
  if (caps.client?.access !== access) {
    fail(
      `reading the capabilities as schema version ${version}`,
      `client.access "${access}"`,
      `client: ${JSON.stringify(caps.client)}`,
      answer.exchange,
    );
  }
}

export const schemaVersionChecks = [
  check({
    id: 'schema-versions.missing',
    group: 'schema-versions',
    title: 'a pull or push without X-Schema-Version is answered 400 MISSING_SCHEMA_VERSION',
    doc: '#schema-compatibility-and-rollouts',
    needs: ['writable'],
    async run(ctx) {
      const head = await ctx.head();
      const client = ctx.alice.withSchemaVersion(undefined);
      expectError(
        await client.pull({ collection: ctx.col, checkpoint: null, windowSize: 1 }),
        'MISSING_SCHEMA_VERSION',
        'pulling without X-Schema-Version',
      );
      const w = ctx.writer(client);
      const answer = await client.push(w.request([w.put(ctx.id(), ctx.value(), null)]));
      expectError(answer, 'MISSING_SCHEMA_VERSION', 'pushing without X-Schema-Version');
      await ctx.expectNothingChanged(head, 'a push without X-Schema-Version', answer.exchange);
    },
  }),

  check({
    id: 'schema-versions.too-new',
    group: 'schema-versions',
    title: 'a client schema version above max is answered 409 SCHEMA_VERSION_TOO_NEW on pull and push',
    doc: '#schema-compatibility-and-rollouts',
    needs: ['writable'],
    async run(ctx) {
      const { max } = ctx.caps.schemaVersions;
      if (!Number.isSafeInteger(max + 1))
        skip(`the server accepts every version up to ${max}: none is too new`);
      const version = max + 1;
      const head = await ctx.head();
      const client = ctx.alice.withSchemaVersion(version);
      const pulled = await client.pull({ collection: ctx.col, checkpoint: null, windowSize: 1 });
      const body = expectError(
        pulled,
        'SCHEMA_VERSION_TOO_NEW',
        `pulling as schema version ${version} (max ${max})`,
      );
      expectDetails(
        body,
        { clientSchemaVersion: version, maxSchemaVersion: max },
        `pulling as schema version ${version}`,
        pulled,
      );
      const w = ctx.writer(client);
      const pushed = await client.push(w.request([w.put(ctx.id(), ctx.value(), null)]));
      expectError(pushed, 'SCHEMA_VERSION_TOO_NEW', `pushing as schema version ${version} (max ${max})`);
      await ctx.expectNothingChanged(head, 'a push of a too new schema version', pushed.exchange);
      await expectAccess(ctx, version, 'none');
    },
  }),

  check({
    id: 'schema-versions.too-old',
    group: 'schema-versions',
    title:
      'a client schema version below min is answered 426 UPGRADE_REQUIRED with access "none" on pull and push',
    doc: '#schema-compatibility-and-rollouts',
    needs: ['writable'],
    async run(ctx) {
      const { min } = ctx.caps.schemaVersions;
      if (min <= 1) skip('min is 1: no valid schema version is too old');
      const version = min - 1;
      const head = await ctx.head();
      const client = ctx.alice.withSchemaVersion(version);
      const pulled = await client.pull({ collection: ctx.col, checkpoint: null, windowSize: 1 });
      const body = expectError(
        pulled,
        'UPGRADE_REQUIRED',
        `pulling as schema version ${version} (min ${min})`,
      );
      expectDetails(
        body,
        { access: 'none', clientSchemaVersion: version, minSchemaVersion: min },
        `pulling as schema version ${version}`,
        pulled,
      );
      const w = ctx.writer(client);
      const pushed = await client.push(w.request([w.put(ctx.id(), ctx.value(), null)]));
      expectDetails(
        expectError(pushed, 'UPGRADE_REQUIRED', `pushing as schema version ${version}`),
        { access: 'none' },
        `pushing as schema version ${version}`,
        pushed,
      );
      await ctx.expectNothingChanged(head, 'a push of a too old schema version', pushed.exchange);
      await expectAccess(ctx, version, 'none');
    },
  }),

  check({
    id: 'schema-versions.read-only',
    group: 'schema-versions',
    title:
      'a client schema version from min to below minWritable may pull, and its pushes get 426 UPGRADE_REQUIRED with access "read-only"',
    doc: '#schema-compatibility-and-rollouts',
    needs: ['writable'],
    async run(ctx) {
      const { min, minWritable } = ctx.caps.schemaVersions;
      if (minWritable <= min) skip(`minWritable equals min (${min}): no version is read-only`);
      const version = minWritable - 1;
      const head = await ctx.head();
      const client = ctx.alice.withSchemaVersion(version);
      await client.pullOk(
        { collection: ctx.col, checkpoint: null, windowSize: 1 },
        `pulling as schema version ${version} (read-only)`,
      );
      const w = ctx.writer(client);
      const pushed = await client.push(w.request([w.put(ctx.id(), ctx.value(), null)]));
      const body = expectError(
        pushed,
        'UPGRADE_REQUIRED',
        `pushing as schema version ${version} (minWritable ${minWritable})`,
      );
      expectDetails(
        body,
        { access: 'read-only', minWritableSchemaVersion: minWritable },
        `pushing as schema version ${version}`,
        pushed,
      );
      await ctx.expectNothingChanged(head, 'a push of a read-only schema version', pushed.exchange);
      await expectAccess(ctx, version, 'read-only');
    },
  }),
];
