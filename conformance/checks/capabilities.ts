import { capabilitiesSchema } from '../../src/protocol/messages.js';
import { PROTOCOL_HEADERS, PROTOCOL_LIMITS, PROTOCOL_PATHS } from '../../src/protocol/version.js';
import { check, fail } from '../check.js';
import { okBody } from '../protocol-client.js';

export const capabilitiesChecks = [
  check({
    id: 'capabilities.document',
    group: 'capabilities',
    title:
      'GET /v1/capabilities answers without a token, with limits within the protocol and what this client may do',
    doc: '#get-v1capabilities',
    async run(ctx) {
      const anonymous = await ctx.wire.send('GET', PROTOCOL_PATHS.capabilities);
      const caps = okBody(
        anonymous,
        capabilitiesSchema,
        'reading the capabilities without a token',
        'Capabilities',
      );
      if (caps.protocolVersion !== 1) {
        fail(
          'reading the capabilities',
          'protocolVersion: 1',
          `protocolVersion: ${caps.protocolVersion}`,
          anonymous.exchange,
        );
      }
      const { min, minWritable, max } = caps.schemaVersions;
      if (!(min >= 1 && min <= minWritable && minWritable <= max)) {
        fail(
          'reading schemaVersions',
          '1 ≤ min ≤ minWritable ≤ max',
          JSON.stringify(caps.schemaVersions),
          anonymous.exchange,
        );
      }
      if (
        caps.maxWindowSize > PROTOCOL_LIMITS.maxWindowSize ||
        caps.maxMutationsPerPush > PROTOCOL_LIMITS.maxMutationsPerPush
      ) {
        fail(
          'reading the limits',
          `maxWindowSize ≤ ${PROTOCOL_LIMITS.maxWindowSize} and maxMutationsPerPush ≤ ${PROTOCOL_LIMITS.maxMutationsPerPush}`,
          `maxWindowSize ${caps.maxWindowSize}, maxMutationsPerPush ${caps.maxMutationsPerPush}`,
          anonymous.exchange,
        );
      }
      if (!caps.transports.includes('poll')) {
        fail(
          'reading the transports',
          '"poll" among them (plain pulls always work)',
          JSON.stringify(caps.transports),
          anonymous.exchange,
        );
      }
      const names = caps.collections.map((c) => c.name);
      if (new Set(names).size !== names.length) {
        fail('reading the collections', 'each collection once', JSON.stringify(names), anonymous.exchange);
      }
      const mine = await ctx.wire.send('GET', PROTOCOL_PATHS.capabilities, {
        headers: { [PROTOCOL_HEADERS.schemaVersion]: String(ctx.setup.schemaVersion) },
      });
      const withClient = okBody(
        mine,
        capabilitiesSchema,
        'reading the capabilities with X-Schema-Version',
        'Capabilities',
      );
      const client = withClient.client;
      if (client?.schemaVersion !== ctx.setup.schemaVersion || client.access !== 'read-write') {
        fail(
          `reading the capabilities with X-Schema-Version: ${ctx.setup.schemaVersion} (a writable version)`,
          `client: { schemaVersion: ${ctx.setup.schemaVersion}, access: "read-write" }`,
          `client: ${JSON.stringify(client)}`,
          mine.exchange,
        );
      }
    },
  }),
];
