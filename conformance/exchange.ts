/** One request the kit sent and what came back, kept for failure reports (tokens redacted on output). */
export interface Exchange {
  /** `GET`, `POST`, … or `WS` / `SSE` for messages of a stream. */
  method: string;
  url: string;
  requestHeaders: Record<string, string>;
  requestBody?: string;
  /** Absent when no answer came (network error, timeout, dropped on purpose). */
  status?: number;
  responseHeaders?: Record<string, string>;
  responseBody?: string;
  /** A network error, or a note such as "connection dropped by the kit before the answer". */
  error?: string;
  ms: number;
}

/** Longest body text kept in a report, in characters. */
const MAX_BODY = 1500;

/** Shortens a body for a report: the start and how much was cut. */
export function clip(text: string, max = MAX_BODY): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

/**
 * Replaces every secret (user tokens, the admin token) in a text by a label such as `<token of
 * user 1>`, and `token=` query parameters whatever their value.
 */
export function redact(text: string, secrets: ReadonlyMap<string, string>): string {
  let out = text;
  for (const [secret, label] of secrets) {
    if (secret.length > 0) out = out.split(secret).join(label);
  }
  return out.replace(/([?&]token=)[^&\s"']+/g, '$1<redacted>');
}

/** An exchange as readable text lines, secrets redacted and bodies clipped. */
export function formatExchange(exchange: Exchange, secrets: ReadonlyMap<string, string>): string {
  const lines = [`→ ${exchange.method} ${exchange.url}`];
  const headers = Object.entries(exchange.requestHeaders)
    .filter(([name]) => name.toLowerCase() !== 'content-type')
    .map(([name, value]) => `${name}: ${value}`);
  if (headers.length > 0) lines.push(`  ${headers.join(' | ')}`);
  if (exchange.requestBody !== undefined) lines.push(`  ${clip(exchange.requestBody)}`);
  if (exchange.status !== undefined) {
    const protocol = exchange.responseHeaders?.['x-sync-protocol'];
    lines.push(
      `← ${exchange.status}${protocol === undefined ? ' (no X-Sync-Protocol header)' : ''} after ${Math.round(exchange.ms)} ms`,
    );
    if (exchange.responseBody !== undefined) lines.push(`  ${clip(exchange.responseBody)}`);
  }
  if (exchange.error !== undefined) lines.push(`  ✗ ${exchange.error}`);
  return redact(lines.join('\n'), secrets);
}
