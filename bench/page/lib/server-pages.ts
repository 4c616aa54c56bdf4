// Hand-written protocol calls for the baselines: plain fetch and JSON, no validation. The page is
// served by the bench origin, which forwards /v1/* to the reference server (same origin, no CORS).
import type { Change, PullResponse, PushRequest, PushResponse } from '../../../src/protocol/messages.js';

/** What a page needs to call the server: the bearer token of the bench user. */
export interface ServerAccess {
  readonly token: string;
}

/** The client schema version every bench client announces. */
export const SCHEMA_VERSION = 1;

function headers(access: ServerAccess): Record<string, string> {
  return {
    'content-type': 'application/json',
    authorization: `Bearer ${access.token}`,
    'x-schema-version': String(SCHEMA_VERSION),
  };
}

async function post<T>(access: ServerAccess, path: string, body: unknown): Promise<T> {
  const response = await fetch(path, {
    method: 'POST',
    headers: headers(access),
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`POST ${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

/** `POST /v1/pull` for one page. */
export function pullPage(
  access: ServerAccess,
  collection: string,
  checkpoint: string | null,
  windowSize: number,
): Promise<PullResponse> {
  return post(access, '/v1/pull', { collection, checkpoint, windowSize });
}

/** `POST /v1/push`. */
export function push(access: ServerAccess, request: PushRequest): Promise<PushResponse> {
  return post(access, '/v1/push', request);
}

/** Every page from `checkpoint` until the server has no more: the records "already in memory". */
export async function pullAll(
  access: ServerAccess,
  collection: string,
  checkpoint: string | null,
  windowSize: number,
): Promise<{ pages: Change[][]; checkpoint: string }> {
  const pages: Change[][] = [];
  let token = checkpoint;
  for (;;) {
    const page = await pullPage(access, collection, token, windowSize);
    pages.push(page.changes);
    token = page.checkpoint;
    if (!page.moreAvailable) return { pages, checkpoint: token };
  }
}
