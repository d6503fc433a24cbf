import { encodeStreamEvent, type StreamEvent } from '@concierge/core';

/**
 * An SSE reply is pushed, not pulled: its source calls `write` with each chunk of text as the
 * events are logged, and `end` once (with the failure that cut it, if any). A Node server takes
 * the source (`takeSseText`) and writes the text to the socket in the same turn; other hosts (a
 * Next.js route) read `response.body`, a Web stream the same chunks are pushed into. With
 * hundreds of streams open, an async step per event (a pull, an iterator, a promise) costs CPU
 * that every shopper's first token waits behind.
 */
export type SseSource = (write: (text: string) => void, end: (error?: unknown) => void) => () => void;

const sources = new WeakMap<Response, SseSource>();

export function sseResponse(source: SseSource, headers: Record<string, string>): Response {
  const encoder = new TextEncoder();
  let stop: (() => void) | undefined;
  let ended = false;
  const body = new ReadableStream<Uint8Array>(
    {
      // Nothing is read before somebody reads (the text may be taken instead).
      pull(controller) {
        if (stop) return;
        stop = () => {};
        stop = source(
          (text) => {
            if (!ended) controller.enqueue(encoder.encode(text));
          },
          (error) => {
            if (ended) return;
            ended = true;
            if (error === undefined) controller.close();
            else controller.error(error);
          },
        );
      },
      cancel() {
        // A cancelled stream takes nothing more, not even its close.
        ended = true;
        stop?.();
      },
    },
    { highWaterMark: 0 },
  );
  const response = new Response(body, { headers });
  sources.set(response, source);
  return response;
}

/** The source of a response made by `sseResponse` whose body nobody has started reading. */
export function takeSseText(response: Response): SseSource | undefined {
  const source = sources.get(response);
  if (!source || response.bodyUsed || response.body?.locked) return undefined;
  sources.delete(response);
  return source;
}

/**
 * `encodeStreamEvent(event, id)` from the event's JSON as logged (`JSON.stringify(event)`, its
 * `type` first, as every event is made), without stringifying it again: the same text.
 */
export function encodeLogged(event: StreamEvent, id: string, data: string | undefined): string {
  const prefix = `{"type":"${event.type}"`;
  if (data === undefined || !data.startsWith(prefix)) return encodeStreamEvent(event, id);
  const rest = data.charCodeAt(prefix.length) === 44 /* , */ ? data.slice(prefix.length + 1) : data.slice(prefix.length);
  return `id: ${id}\nevent: ${event.type}\ndata: {${rest}\n\n`;
}
