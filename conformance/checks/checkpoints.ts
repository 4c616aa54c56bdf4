import { check, fail } from '../check.js';
import type { CheckContext } from '../context.js';
import { expectError, expectOneOfErrors } from '../expect.js';
import type { ProtocolClient } from '../protocol-client.js';

/** A snapshot-mode and a changes-mode checkpoint of `client` for `collection`. */
async function tokens(ctx: CheckContext, client: ProtocolClient, collection: string) {
  const w = ctx.writer(client);
  if (collection === ctx.col) {
    await w.create(
      [
        [ctx.id(), ctx.value()],
        [ctx.id(), ctx.value()],
      ],
      'creating two records',
    );
  }
  const mid = await client.pullOk(
    { collection, checkpoint: null, windowSize: 1 },
    `starting a snapshot of ${collection}`,
  );
  const end = await ctx.head(client, collection);
  return { snapshot: mid.page.checkpoint, changes: end };
}

/** Pulls `collection` as `client` with `checkpoint`: must be refused 400 INVALID_CHECKPOINT, never served. */
async function refused(client: ProtocolClient, collection: string, checkpoint: string, what: string) {
  const answer = await client.pull({ collection, checkpoint, windowSize: 10 });
  if (answer.status === 200)
    fail(what, '400 INVALID_CHECKPOINT (never served)', '200: a page was served', answer.exchange);
  expectError(answer, 'INVALID_CHECKPOINT', what);
}

/** `token` with the character at `index` replaced by another of the same kind. */
function flip(token: string, index: number): string {
  const c = token[index]!;
  const other = /[0-9]/.test(c)
    ? c === '7'
      ? '3'
      : '7'
    : /[a-z]/.test(c)
      ? c === 'q'
        ? 'k'
        : 'q'
      : c === 'Q'
        ? 'K'
        : 'Q';
  return token.slice(0, index) + other + token.slice(index + 1);
}

export const checkpointChecks = [
  check({
    id: 'checkpoints.made-up',
    group: 'checkpoints',
    title: 'a made-up checkpoint is refused with 400 INVALID_CHECKPOINT',
    doc: '#checkpoints',
    needs: ['writable'],
    async run(ctx) {
      const garbage = [
        'garbage',
        'x'.repeat(40),
        '0',
        'a.b.c',
        'eyJ2IjoxfQ.c2lnbmF0dXJl',
        'eyJhbGciOiJub25lIn0.eyJzIjowfQ.',
        Buffer.from(JSON.stringify({ seq: 0, mode: 'changes' })).toString('base64url'),
      ];
      for (const checkpoint of garbage)
        await refused(
          ctx.alice,
          ctx.col,
          checkpoint,
          `pulling with the made-up checkpoint ${JSON.stringify(checkpoint)}`,
        );
    },
  }),

  check({
    id: 'checkpoints.tampered',
    group: 'checkpoints',
    title: 'a checkpoint with one character changed, cut short or extended is refused, never served',
    doc: '#checkpoints',
    needs: ['writable'],
    async run(ctx) {
      const issued = await tokens(ctx, ctx.alice, ctx.col);
      for (const [mode, token] of Object.entries(issued)) {
        // The last character is left alone: in base64 some of its bits may not count.
        const variants: [string, string][] = [
          ['first character changed', flip(token, 0)],
          ['middle character changed', flip(token, Math.floor(token.length / 2))],
          ['second-to-last character changed', flip(token, token.length - 2)],
          ['cut short by 2 characters', token.slice(0, -2)],
          ['extended by 2 characters', `${token}QQ`],
        ];
        for (const [how, checkpoint] of variants) {
          if (checkpoint === token) continue;
          const what = `pulling with a ${mode}-mode checkpoint, ${how}`;
          const answer = await ctx.alice.pull({ collection: ctx.col, checkpoint, windowSize: 10 });
          if (answer.status === 200)
            fail(what, '400 INVALID_CHECKPOINT (never served)', '200: a page was served', answer.exchange);
          const body = expectOneOfErrors(answer, ['INVALID_CHECKPOINT', 'RESET_REQUIRED'], what);
          // A token naming another database incarnation cannot be verified: "reset" serves nothing either.
          if (body.error.code === 'RESET_REQUIRED')
            ctx.note(
              `${mode}-mode checkpoint, ${how}: answered 410 RESET_REQUIRED (read as another incarnation), not 400`,
            );
        }
      }
    },
  }),

  check({
    id: 'checkpoints.other-user',
    group: 'checkpoints',
    title: "another user's checkpoint is refused with 400 INVALID_CHECKPOINT",
    doc: '#checkpoints',
    needs: ['writable', 'secondUser'],
    async run(ctx) {
      const mine = await tokens(ctx, ctx.alice, ctx.col);
      const theirs = await tokens(ctx, ctx.bob, ctx.col);
      await refused(ctx.bob, ctx.col, mine.snapshot, "pulling as user 2 with user 1's snapshot checkpoint");
      await refused(ctx.bob, ctx.col, mine.changes, "pulling as user 2 with user 1's changes checkpoint");
      await refused(ctx.alice, ctx.col, theirs.changes, "pulling as user 1 with user 2's changes checkpoint");
    },
  }),

  check({
    id: 'checkpoints.other-collection',
    group: 'checkpoints',
    title: "another collection's checkpoint is refused with 400 INVALID_CHECKPOINT",
    doc: '#checkpoints',
    needs: ['writable', 'otherCollection'],
    async run(ctx) {
      const other = ctx.setup.collections.other!.name;
      const mine = await tokens(ctx, ctx.alice, ctx.col);
      const theirs = await tokens(ctx, ctx.alice, other);
      await refused(
        ctx.alice,
        other,
        mine.snapshot,
        `pulling ${other} with a snapshot checkpoint of ${ctx.col}`,
      );
      await refused(
        ctx.alice,
        other,
        mine.changes,
        `pulling ${other} with a changes checkpoint of ${ctx.col}`,
      );
      await refused(ctx.alice, ctx.col, theirs.changes, `pulling ${ctx.col} with a checkpoint of ${other}`);
    },
  }),
];
