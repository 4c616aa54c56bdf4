import { HTTPError, type NormalizedOptions, TimeoutError } from './fetch-client.js';

// The fetch client's errors (ky's) keep the request (with its Authorization header and body) and the options (headers,
// JSON body). They become our errors' `cause`, which apps log and serialise: keep only what helps
// debugging (method, URL without query, status) and nothing that could hold a credential or a record.

/** A copy of `request` with its method and URL (query removed) only: no headers, no body. */
export function redactRequest(request: Request): Request {
  const url = new URL(request.url);
  url.search = '';
  url.hash = '';
  return new Request(url, { method: request.method });
}

/** An `HTTPError` for the same response, without the request's headers and body or ky's options. */
export function redactHttpError(error: HTTPError): HTTPError {
  const request = redactRequest(error.request);
  const options = { method: request.method } as NormalizedOptions;
  return new HTTPError(error.response, request, options);
}

/** A `TimeoutError` for the same request, without its headers and body. */
export function redactTimeoutError(error: TimeoutError): TimeoutError {
  return new TimeoutError(redactRequest(error.request));
}
