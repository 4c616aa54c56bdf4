import { createParser } from 'eventsource-parser';
import { describe, expect, it } from 'vitest';
import { type SseEvent, sseParser } from './sse-parser.js';

/** What eventsource-parser (the reference the SDK used before) makes of `text`. */
function reference(text: string): SseEvent[] {
  const events: SseEvent[] = [];
  const parser = createParser({ onEvent: (m) => events.push({ event: m.event ?? 'message', data: m.data }) });
  parser.feed(text);
  return events;
}

function parse(chunks: readonly string[], maxChars = 1 << 20): { events: SseEvent[]; accepted: boolean } {
  const events: SseEvent[] = [];
  const feed = sseParser((event) => events.push(event), maxChars);
  let accepted = true;
  for (const chunk of chunks) accepted &&= feed(chunk);
  return { events, accepted };
}

const streams = {
  'LF lines, comments, unknown fields':
    'event: hello\ndata: {"a":1}\n\n: comment\nid: 7\nretry: 10\nevent: poke\ndata: x\n\n',
  'CRLF and CR line ends': 'event: poke\r\ndata: one\r\n\r\nevent: beat\rdata: two\r\r',
  'multi-line data, empty data, no space after the colon':
    'data:a\ndata: b\ndata\n\ndata:\n\nevent:x\ndata:  two spaces\n\n',
  'no data: nothing dispatched; no event name: message': 'event: lonely\n\ndata: plain\n\n',
  'an unfinished event at the end is dropped': 'data: done\n\nevent: poke\ndata: cut',
};

describe('sseParser', () => {
  for (const [name, text] of Object.entries(streams)) {
    it(`reads ${name} as eventsource-parser does, whatever the chunks`, () => {
      const expected = reference(text);
      expect(expected.length).toBeGreaterThan(0);
      expect(parse([text]).events).toEqual(expected);
      for (let cut = 1; cut < text.length; cut++) {
        expect(parse([text.slice(0, cut), text.slice(cut)]).events).toEqual(expected);
      }
      expect(parse([...text]).events).toEqual(expected);
    });
  }

  it('refuses an event or a line that grows past maxChars without ending', () => {
    expect(parse(['data: 12345\n\n', 'data: 12345\n\n'], 12).accepted).toBe(true);
    expect(parse(['data: 1234', '56789'], 12).accepted).toBe(false);
    expect(parse(['data: 123456\n', 'data: 123456\n'], 12).accepted).toBe(false);
  });
});
