import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeModelCall {
  /** The reply this call streams, in full. */
  text: string;
  /** The proxy closed the request before the reply was sent in full (a Stop, or a timeout). */
  aborted: boolean;
  finished: boolean;
}

export interface FakeModelOptions {
  /** Words in each reply. @default 12 */
  words?: number;
  /** Pause between two streamed words, in milliseconds. @default 0 */
  delayMs?: number;
}

/**
 * An OpenAI-compatible chat model on loopback that streams a different reply on every call (with
 * accents, a dash and an emoji, so cuts fall inside UTF-8 characters), and records each call.
 */
export async function startFakeModel(options: FakeModelOptions = {}) {
  /** `failNext`: the next call answers this status instead of a reply. */
  const settings = { words: options.words ?? 12, delayMs: options.delayMs ?? 0, failNext: 0 };
  let failures = 0;
  const calls: FakeModelCall[] = [];
  const server: Server = createServer((incoming, outgoing) => {
    incoming.resume();
    incoming.on('end', async () => {
      if (settings.failNext) {
        const status = settings.failNext;
        settings.failNext = 0;
        failures++;
        outgoing.writeHead(status, { 'content-type': 'application/json', 'retry-after': '1' });
        outgoing.end(JSON.stringify({ error: { message: 'Refused.' } }));
        return;
      }
      const number = calls.length + 1;
      const words = Array.from({ length: settings.words }, (_, index) => ['café', 'naïve', '—', 'rösti', '☕', `w${index}`][index % 6]!);
      const pieces = [`Reply ${number}:`, ...words.map((word) => ` ${word}`)];
      const call: FakeModelCall = { text: pieces.join(''), aborted: false, finished: false };
      calls.push(call);
      outgoing.on('close', () => {
        if (!call.finished) call.aborted = true;
      });
      const chunk = (content: string, finish: string | null) =>
        `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content }, finish_reason: finish }] })}\n\n`;
      outgoing.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const piece of pieces) {
        if (call.aborted) return;
        outgoing.write(chunk(piece, null));
        if (settings.delayMs) await new Promise((resolve) => setTimeout(resolve, settings.delayMs));
      }
      call.finished = true;
      outgoing.end(chunk('', 'stop') + 'data: [DONE]\n\n');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}/v1`,
    calls,
    settings,
    failures: () => failures,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}
