import { check, fail } from '../check.js';

export const conventionChecks = [
  check({
    id: 'conventions.protocol-version',
    group: 'conventions',
    title:
      'every answer under /v1/ carries X-Sync-Protocol: 1, and every JSON body protocolVersion: 1 (errors included)',
    doc: '#conventions',
    async run(ctx) {
      let seen = 0;
      for (const exchange of ctx.wire.log) {
        if (exchange.status === undefined || exchange.method === 'WS') continue;
        if (!new URL(exchange.url).pathname.includes('/v1/')) continue;
        seen += 1;
        const header = exchange.responseHeaders?.['x-sync-protocol'];
        if (header !== '1')
          fail(
            'scanning every answer of the run',
            'X-Sync-Protocol: 1',
            header === undefined ? 'no X-Sync-Protocol header' : `X-Sync-Protocol: ${header}`,
            exchange,
          );
        if ((exchange.responseHeaders?.['content-type'] ?? '').includes('text/event-stream')) continue;
        let body: unknown;
        try {
          body = JSON.parse(exchange.responseBody ?? '');
        } catch {
          body = undefined;
        }
        if (
          typeof body !== 'object' ||
          body === null ||
          (body as { protocolVersion?: unknown }).protocolVersion !== 1
        ) {
          fail(
            'scanning every answer of the run',
            'a JSON body with protocolVersion: 1',
            body === undefined ? 'a body that is not JSON' : 'a body without protocolVersion: 1',
            exchange,
          );
        }
      }
      ctx.note(`${seen} answers scanned`);
    },
  }),

  check({
    id: 'conventions.no-tokens-in-answers',
    group: 'conventions',
    title: 'no answer ever contains a token (error messages are for humans and never carry secrets)',
    doc: '#errors',
    async run(ctx) {
      for (const exchange of ctx.wire.log) {
        // /admin answers hand out tokens by design; only protocol answers are scanned.
        if (exchange.method === 'WS' || !new URL(exchange.url).pathname.includes('/v1/')) continue;
        const body = exchange.responseBody ?? '';
        for (const [secret, label] of ctx.setup.secrets) {
          if (secret.length >= 8 && body.includes(secret))
            fail(
              'scanning every answer of the run',
              'no token in any answer',
              `${label} in an answer`,
              exchange,
            );
        }
      }
    },
  }),
];
