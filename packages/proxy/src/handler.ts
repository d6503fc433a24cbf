import {
  encodeStreamEvent,
  LIMITS,
  type SendMessageRequest,
  type SendMessageResponse,
  type Source,
  type StreamEvent,
  type ThreadMessage,
} from '@concierge/core';
import { HttpError } from './http-error';
import type { Provider } from './provider';
import { parseSendMessage, threadIdSchema } from './schema';
import { createMemoryTranscriptStore, type TranscriptStore } from './transcripts';

export interface ConciergeHandlerOptions {
  /** The answering backend, e.g. `await createLocalProvider({ dir })`. */
  provider: Provider | Promise<Provider>;
  /** Path the routes live under. @default "/api/concierge" */
  basePath?: string;
  /** Where threads are kept. @default an in-memory store */
  transcripts?: TranscriptStore;
  /** Largest accepted request body in bytes. @default 65536 */
  maxBodyBytes?: number;
  /** Reports unexpected failures (never message text). @default console.error */
  onError?: (error: unknown) => void;
}

/** A Web-standard request handler; every adapter wraps one of these. */
export type ConciergeHandler = (request: Request) => Promise<Response>;

/**
 * Creates the proxy: `POST {basePath}/messages` answers as SSE or JSON,
 * `GET {basePath}/threads/{threadId}` returns a thread's history, `GET {basePath}/health` says it is up.
 *
 * @example
 * const handler = createConciergeHandler({ provider: createLocalProvider({ dir: './content' }) })
 */
export function createConciergeHandler(options: ConciergeHandlerOptions): ConciergeHandler {
  const basePath = (options.basePath ?? '/api/concierge').replace(/\/+$/, '');
  const transcripts = options.transcripts ?? createMemoryTranscriptStore();
  const maxBodyBytes = options.maxBodyBytes ?? LIMITS.bodyMaxBytes;
  const onError = options.onError ?? ((error: unknown) => console.error('[concierge]', error));
  const providerPromise = Promise.resolve(options.provider);
  // An unhandled rejection would crash the server; the failure is reported per request.
  providerPromise.catch(() => {});

  const routes: Record<string, Partial<Record<string, (request: Request, parameter: string) => Promise<Response>>>> = {
    messages: { POST: (request) => sendMessage(request) },
    threads: { GET: (_request, threadId) => getThread(threadId) },
    health: { GET: async () => Response.json({ ok: true, provider: (await providerPromise).name }) },
  };

  async function sendMessage(request: Request): Promise<Response> {
    const body = parseSendMessage(await readJson(request, maxBodyBytes));
    const provider = await providerPromise;
    const threadId = body.threadId ?? crypto.randomUUID();
    const messageId = crypto.randomUUID();
    const history = (await transcripts.get(threadId)) ?? [];
    const userMessage: ThreadMessage = {
      id: crypto.randomUUID(),
      role: 'user',
      text: body.message,
      createdAt: new Date().toISOString(),
    };
    const controller = new AbortController();
    request.signal.addEventListener('abort', () => controller.abort(), { once: true });
    const events = provider.reply({
      message: body.message,
      threadId,
      history,
      locale: body.locale,
      pageUrl: body.pageUrl,
      metadata: body.metadata,
      signal: controller.signal,
    });

    const reply = { text: '', sources: [] as Source[], confidence: undefined as number | undefined, done: false };
    const save = () =>
      transcripts.append(threadId, [
        userMessage,
        {
          id: messageId,
          role: 'assistant',
          text: reply.text,
          sources: reply.sources,
          createdAt: new Date().toISOString(),
          ...(reply.done ? {} : { interrupted: true }),
        },
      ]);

    let saved = false;
    async function* run(): AsyncGenerator<StreamEvent> {
      yield { type: 'start', threadId, messageId };
      try {
        for await (const event of events) {
          if (event.type === 'delta') reply.text += event.text;
          else if (event.type === 'sources') reply.sources = event.sources;
          else {
            reply.confidence = event.confidence;
            reply.done = true;
            break;
          }
          yield event;
        }
        if (!reply.done && !controller.signal.aborted) {
          throw new HttpError(502, 'upstream_malformed', 'The reply ended before it finished.');
        }
        if (reply.done) {
          // Saved before `done` is sent, so a history request right after it sees this turn.
          saved = true;
          await save();
          yield { type: 'done', threadId, messageId, ...(reply.confidence === undefined ? {} : { confidence: reply.confidence }) };
        }
      } finally {
        if (!saved) await save();
      }
    }

    if (!wantsStream(request, body)) {
      for await (const event of run()) void event;
      const json: SendMessageResponse = { threadId, messageId, text: reply.text, sources: reply.sources };
      if (reply.confidence !== undefined) json.confidence = reply.confidence;
      return Response.json(json);
    }
    return new Response(sseStream(run(), messageId, controller, onError), {
      headers: {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        'x-accel-buffering': 'no',
      },
    });
  }

  async function getThread(threadId: string): Promise<Response> {
    if (!threadIdSchema.safeParse(threadId).success) {
      throw new HttpError(400, 'invalid_request', 'threadId must be 1–128 letters, digits, ".", "_", ":" or "-".', {
        field: 'threadId',
      });
    }
    const messages = await transcripts.get(threadId);
    if (!messages) throw new HttpError(404, 'not_found', 'No thread has that id.');
    return Response.json({ threadId, messages });
  }

  return async (request) => {
    try {
      const path = new URL(request.url).pathname;
      if (path !== basePath && !path.startsWith(`${basePath}/`)) throw notFound();
      const [name = '', parameter = '', ...rest] = path.slice(basePath.length + 1).split('/');
      const route = routes[name];
      if (!route || rest.length || (name === 'threads') !== Boolean(parameter)) throw notFound();
      const method = request.method === 'HEAD' ? 'GET' : request.method;
      const allowed = Object.keys(route).join(', ');
      if (method === 'OPTIONS') return new Response(null, { status: 204, headers: { allow: `${allowed}, OPTIONS` } });
      const action = route[method];
      if (!action) {
        throw new HttpError(405, 'method_not_allowed', `Use ${allowed} for this route.`, {
          headers: { allow: allowed },
        });
      }
      return await action(request, decodeURIComponent(parameter));
    } catch (thrown) {
      if (thrown instanceof HttpError) return thrown.toResponse();
      onError(thrown);
      return new HttpError(500, 'internal', 'Something went wrong on our side. Please try again.').toResponse();
    }
  };
}

function notFound(): HttpError {
  return new HttpError(404, 'not_found', 'No such route.');
}

function wantsStream(request: Request, body: SendMessageRequest): boolean {
  if (body.stream !== undefined) return body.stream;
  return (request.headers.get('accept') ?? '').includes('text/event-stream');
}

/** Reads a JSON body of at most `maxBytes`, answering 413, 415 or 400 when it is not one. */
async function readJson(request: Request, maxBytes: number): Promise<unknown> {
  const contentType = request.headers.get('content-type') ?? '';
  if (!/^application\/json\b/i.test(contentType)) {
    throw new HttpError(415, 'unsupported_media_type', 'Send the body as application/json.', { field: 'body' });
  }
  const tooLarge = () =>
    new HttpError(413, 'payload_too_large', `The body can be at most ${maxBytes} bytes.`, { field: 'body' });
  if (Number(request.headers.get('content-length') ?? 0) > maxBytes) throw tooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel();
        throw tooLarge();
      }
      chunks.push(value);
    }
  }
  const text = new TextDecoder().decode(concat(chunks, size));
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'invalid_request', 'The body is not valid JSON.', { field: 'body' });
  }
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  const result = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    result.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return result;
}

function sseStream(
  events: AsyncGenerator<StreamEvent>,
  messageId: string,
  controller: AbortController,
  onError: (error: unknown) => void,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let sequence = 0;
  return new ReadableStream<Uint8Array>({
    async pull(stream) {
      try {
        const { done, value } = await events.next();
        if (done) return stream.close();
        stream.enqueue(encoder.encode(encodeStreamEvent(value, `${messageId}:${sequence++}`)));
      } catch (thrown) {
        const error =
          thrown instanceof HttpError
            ? thrown
            : new HttpError(502, 'upstream_unavailable', 'The answer could not be completed. Please try again.');
        if (!(thrown instanceof HttpError)) onError(thrown);
        const { code, message, retryAfterSeconds } = error.toBody().error;
        const event: StreamEvent = { type: 'error', code, message, ...(retryAfterSeconds ? { retryAfterSeconds } : {}) };
        stream.enqueue(encoder.encode(encodeStreamEvent(event, `${messageId}:${sequence++}`)));
        stream.close();
      }
    },
    async cancel() {
      controller.abort();
      await events.return(undefined);
    },
  });
}
