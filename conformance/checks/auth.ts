import { PROTOCOL_PATHS } from '../../src/protocol/version.js';
import { check, skip } from '../check.js';
import type { CheckContext } from '../context.js';
import { expectError } from '../expect.js';
import type { ProtocolClient } from '../protocol-client.js';

/** Pull, push and the event stream must all answer 401 UNAUTHORIZED for `client`. */
async function expectUnauthorizedEverywhere(ctx: CheckContext, client: ProtocolClient, who: string) {
  expectError(
    await client.pull({ collection: ctx.col, checkpoint: null, windowSize: 1 }),
    'UNAUTHORIZED',
    `pulling ${who}`,
  );
  const w = ctx.writer(client);
  expectError(
    await client.push(w.request([w.put(ctx.id(), ctx.value(), null)])),
    'UNAUTHORIZED',
    `pushing ${who}`,
  );
  if (ctx.caps.transports.includes('sse')) {
    expectError(await client.send('GET', PROTOCOL_PATHS.events), 'UNAUTHORIZED', `opening /v1/events ${who}`);
  }
}

export const authChecks = [
  check({
    id: 'auth.missing-token',
    group: 'auth',
    title: 'a sync request without a token is answered 401 UNAUTHORIZED',
    doc: '#errors',
    needs: ['writable'],
    async run(ctx) {
      const head = await ctx.head();
      await expectUnauthorizedEverywhere(ctx, ctx.alice.withToken(undefined), 'without Authorization');
      await ctx.expectNothingChanged(head, 'a push without a token');
    },
  }),

  check({
    id: 'auth.unknown-token',
    group: 'auth',
    title: 'a sync request with an unknown token is answered 401 UNAUTHORIZED',
    doc: '#errors',
    needs: ['writable'],
    async run(ctx) {
      const head = await ctx.head();
      const made = `cf-not-a-token-${ctx.setup.runId}-${Math.random().toString(36).slice(2)}`;
      await expectUnauthorizedEverywhere(ctx, ctx.alice.withToken(made), 'with a made-up token');
      await ctx.expectNothingChanged(head, 'a push with a made-up token');
    },
  }),

  check({
    id: 'auth.revoked-token',
    group: 'auth',
    title: 'a revoked token is answered 401 UNAUTHORIZED from then on',
    doc: '#errors',
    needs: ['writable', 'revoke'],
    async run(ctx) {
      const create = ctx.setup.hooks.createUser;
      if (create === undefined) skip('needs the createUser hook too, to make a user it may revoke');
      const user = await create();
      const client = ctx.alice.withToken(user.token);
      ctx.setup.secrets?.set(user.token, '<token of the revoked user>');
      await client.pullOk(
        { collection: ctx.col, checkpoint: null, windowSize: 1 },
        'pulling as a new user before revoking its token',
      );
      await ctx.setup.hooks.revokeToken!(user);
      await expectUnauthorizedEverywhere(ctx, client, 'with a revoked token');
    },
  }),
];
