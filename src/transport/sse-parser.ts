/** One event of a `text/event-stream`: its type (`message` when the stream names none) and data. */
export interface SseEvent {
  readonly event: string;
  readonly data: string;
}

/**
 * A parser of the WHATWG event-stream format, fed decoded text as it arrives in chunks of any size
 * (eventsource-parser did this for 1.4 KB min+gzip; the client needs `event` and `data` only):
 * lines end in CRLF, LF or CR, `:` starts a comment, `data` lines join with `\n`, a blank line
 * dispatches, `id` and `retry` are ignored. Returns `feed`, which returns false once an event (or a
 * line) grows past `maxChars` without ending: the stream is refused, not buffered without bound.
 */
export function sseParser(onEvent: (event: SseEvent) => void, maxChars: number): (text: string) => boolean {
  const lineEnd = /\r\n|\r|\n/g;
  let buffer = '';
  let event = '';
  let data: string | undefined;
  return (text) => {
    buffer += text;
    let start = 0;
    lineEnd.lastIndex = 0;
    for (let match = lineEnd.exec(buffer); match !== null; match = lineEnd.exec(buffer)) {
      // A CR that ends the text may be the first half of a CRLF: wait for the next chunk.
      if (match[0] === '\r' && match.index === buffer.length - 1) break;
      const line = buffer.slice(start, match.index);
      start = lineEnd.lastIndex;
      if (line === '') {
        if (data !== undefined) onEvent({ event: event || 'message', data });
        event = '';
        data = undefined;
        continue;
      }
      const colon = line.indexOf(':');
      if (colon === 0) continue;
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(line[colon + 1] === ' ' ? colon + 2 : colon + 1);
      if (field === 'event') event = value;
      else if (field === 'data') data = data === undefined ? value : `${data}\n${value}`;
    }
    buffer = buffer.slice(start);
    return buffer.length + (data?.length ?? 0) <= maxChars;
  };
}
