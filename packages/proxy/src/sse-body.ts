/**
 * An SSE response whose body is also kept as text chunks, so a Node server writes them to the
 * socket as they are (`takeSseText`) instead of reading the Web stream: with hundreds of streams
 * open, a Web stream and a `TextEncoder` per chunk cost CPU that every shopper's first token
 * waits behind. Other hosts (a Next.js route) read `response.body` as usual.
 */
const texts = new WeakMap<Response, AsyncIterator<string>>();

export function sseResponse(chunks: AsyncIterator<string>, headers: Record<string, string>): Response {
  const encoder = new TextEncoder();
  let pumping: Promise<void> | undefined;
  const body = new ReadableStream<Uint8Array>(
    {
      // Nothing is read before somebody reads (the text may be taken instead); from then on every
      // chunk is pushed as it comes, with no pull per chunk: an SSE reply is small, and a pull
      // round trip per event costs CPU that hundreds of open streams add up.
      pull(controller) {
        pumping ??= (async () => {
          try {
            for (let next = await chunks.next(); !next.done; next = await chunks.next()) controller.enqueue(encoder.encode(next.value));
            controller.close();
          } catch (error) {
            controller.error(error);
          }
        })();
      },
      async cancel() {
        await chunks.return?.(undefined);
      },
    },
    { highWaterMark: 0 },
  );
  const response = new Response(body, { headers });
  texts.set(response, chunks);
  return response;
}

/** The text chunks of a response made by `sseResponse` whose body nobody has started reading. */
export function takeSseText(response: Response): AsyncIterator<string> | undefined {
  const chunks = texts.get(response);
  if (!chunks || response.bodyUsed || response.body?.locked) return undefined;
  texts.delete(response);
  return chunks;
}
