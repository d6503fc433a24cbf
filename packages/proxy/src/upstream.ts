import { LIMITS } from '@concierge/core';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { finished } from 'node:stream';
import { HttpError } from './http-error';
import { nodeBodies, nodeRequest } from './node-request';

/** What every vendor adapter needs to call its API. */
export interface UpstreamOptions {
  /** Vendor name for logs, e.g. "Alhena". */
  vendor: string;
  /** The variable holding the key, named in the log when the vendor rejects it. */
  keyVariable: string;
  apiKey: string;
  /** Milliseconds before a call is given up. @default 30000 */
  timeoutMs?: number;
  /** A `fetch` to call the vendor with. @default Node's own HTTP client, keeping connections alive */
  fetch?: typeof globalThis.fetch;
  /** Where problems are reported; never given message text or keys. @default console.warn */
  log?: (line: string) => void;
}

/**
 * Calls a vendor with the secret key and maps every failure to a typed {@link HttpError}:
 * timeouts, network errors, 4xx and 5xx. Nothing of the vendor's error body reaches the browser.
 */
export async function callUpstream(
  options: UpstreamOptions,
  url: string,
  init: {
    method?: string;
    body?: unknown;
    accept?: string;
    signal: AbortSignal;
    /** Statuses handed back to the caller instead of mapped to an error, e.g. 404 for "unknown thread". */
    pass?: number[];
    /** The setting to name in the log when the vendor answers 404 (an unknown agent or bot id). */
    notFoundVariable?: string;
  },
): Promise<Response> {
  const log = upstreamLog(options);
  const timeoutMs = options.timeoutMs ?? 30_000;
  // The bound is on silence, not on length: until the headers, then between two chunks of the
  // body. A long answer that keeps flowing is never cut; a vendor that stalls is, and its
  // connection is closed.
  // One controller for the call: the caller's abort and the silence bound both end it (not
  // `AbortSignal.any`, whose weak tracking costs two more signals per call).
  const call = new AbortController();
  // Made only when it happens: an error's stack trace costs CPU on every call otherwise.
  let stalled: HttpError | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lastActivity = 0;
  // One timer per call, pushed back only when it fires: re-arming on each chunk of a busy stream
  // would churn timers thousands of times a second.
  const check = () => {
    const quiet = Date.now() - lastActivity;
    if (quiet < timeoutMs) {
      timer = setTimeout(check, timeoutMs - quiet);
      return;
    }
    timer = undefined;
    log(`${options.vendor} sent nothing for ${timeoutMs} ms.`);
    stalled = new HttpError(504, 'upstream_timeout', 'The assistant took too long to answer. Please try again.');
    call.abort(stalled);
  };
  const arm = () => {
    lastActivity = Date.now();
    timer ??= setTimeout(check, timeoutMs);
  };
  const disarm = () => {
    clearTimeout(timer);
    timer = undefined;
  };
  const cancel = () => {
    disarm();
    call.abort(init.signal.reason);
  };
  if (init.signal.aborted) cancel();
  else init.signal.addEventListener('abort', cancel, { once: true });
  arm();
  const method = init.method ?? (init.body === undefined ? 'GET' : 'POST');
  const headers: Record<string, string> = {
    ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
    accept: init.accept ?? 'application/json',
    ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
  };
  const body = init.body === undefined ? undefined : JSON.stringify(init.body);
  const { signal } = call;
  // A stream is read by `upstreamEvents`, which re-arms the bound on each chunk: no extra stream
  // stage per vendor stream (they cost CPU with hundreds of streams open).
  const streamed = (status: number, headers: Headers) =>
    status >= 200 && status < 300 && Boolean(init.accept?.includes('text/event-stream')) && (headers.get('content-type') ?? '').includes('text/event-stream');
  const watchdog = { arm, clear: disarm, stalled: () => stalled };
  let response: Response;
  try {
    if (options.fetch) {
      response = await options.fetch(url, { method, headers, body, signal });
      if (response.body && streamed(response.status, response.headers)) {
        arm();
      } else if (response.body) {
        const watched = response.body.pipeThrough(
          new TransformStream<Uint8Array, Uint8Array>({
            transform(chunk, controller) {
              arm();
              controller.enqueue(chunk);
            },
            flush: disarm,
          }),
        );
        response = new Response(watched, { status: response.status, statusText: response.statusText, headers: response.headers });
      } else disarm();
    } else {
      // Node's own HTTP client (see node-request.ts): a JSON answer comes back read whole.
      response = await nodeRequest(url, { method, headers, body, signal, stream: streamed, onChunk: arm });
      if (nodeBodies.has(response)) arm();
      else disarm();
    }
  } catch (error) {
    disarm();
    if (stalled && !init.signal.aborted) throw stalled;
    if (init.signal.aborted) throw error;
    log(`${options.vendor} could not be reached: ${(error as Error).message}`);
    throw unavailable();
  }
  if (streamed(response.status, response.headers)) watchdogs.set(response, watchdog);
  if (response.ok || init.pass?.includes(response.status)) return response;
  if (response.status === 404 && init.notFoundVariable) {
    log(`${options.vendor} answered 404: check ${init.notFoundVariable}.`);
  }
  throw await upstreamError(options, response, log);
}

async function upstreamError(options: UpstreamOptions, response: Response, log: (line: string) => void): Promise<HttpError> {
  const body: unknown = await response.json().catch(() => null);
  const status = response.status;
  const vendorCode = errorCode(body);
  log(`${options.vendor} answered ${status}${vendorCode ? ` (${vendorCode})` : ''}.`);
  if (status === 401 || status === 403) {
    log(`${options.vendor} rejected the API key: check ${options.keyVariable}.`);
    return new HttpError(502, 'unauthorized', 'The assistant is temporarily unavailable.');
  }
  if (status === 402) {
    const reason = vendorCode?.toLowerCase();
    return new HttpError(402, 'billing', 'The assistant is temporarily unavailable.', {
      ...(reason && /^[a-z_]{1,40}$/.test(reason) ? { reason } : {}),
    });
  }
  if (status === 429) {
    const seconds = retryAfterSeconds(response.headers, body);
    return new HttpError(429, 'rate_limited', 'Too many messages at once. Please wait a moment.', {
      ...(seconds === undefined ? {} : { retryAfterSeconds: seconds, headers: { 'retry-after': String(seconds) } }),
    });
  }
  if (status === 400 || status === 422) {
    return new HttpError(400, 'invalid_request', 'The assistant could not accept that message.');
  }
  return unavailable();
}

function unavailable(): HttpError {
  return new HttpError(502, 'upstream_unavailable', 'The assistant is temporarily unavailable. Please try again.');
}

/** A vendor's error code from `{code}`, `{error:{code}}` or `{error:"…"}` bodies. */
function errorCode(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const record = body as Record<string, unknown>;
  const nested = record.error && typeof record.error === 'object' ? (record.error as Record<string, unknown>) : undefined;
  const code = record.code ?? nested?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Seconds to wait, from `Retry-After` (seconds or an HTTP date), a body's `retry_after`,
 * or `X-RateLimit-Reset` (seconds until reset; above 10^9 a Unix time).
 */
export function retryAfterSeconds(headers: Headers, body: unknown, now = Date.now()): number | undefined {
  const clamp = (seconds: number) => Math.min(86_400, Math.max(0, Math.ceil(seconds)));
  const header = headers.get('retry-after');
  if (header) {
    if (/^\d+(\.\d+)?$/.test(header.trim())) return clamp(Number(header));
    const date = Date.parse(header);
    if (!Number.isNaN(date)) return clamp((date - now) / 1000);
  }
  const record = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  const nested = record.error && typeof record.error === 'object' ? (record.error as Record<string, unknown>) : {};
  const fromBody = record.retry_after ?? nested.retry_after;
  if (typeof fromBody === 'number' && Number.isFinite(fromBody)) return clamp(fromBody);
  const reset = Number(headers.get('x-ratelimit-reset'));
  if (headers.has('x-ratelimit-reset') && Number.isFinite(reset)) {
    return clamp(reset > 1e9 ? reset - now / 1000 : reset);
  }
  return undefined;
}

/** Reads a JSON body, answering `upstream_malformed` when it is not JSON. */
export async function readUpstreamJson(response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch {
    throw malformed();
  }
}

export function malformed(): HttpError {
  return new HttpError(502, 'upstream_malformed', 'The assistant sent a reply we could not read.');
}

/** The silence bound of a vendor stream, re-armed by its reader on every chunk. */
const watchdogs = new WeakMap<Response, { arm: () => void; clear: () => void; stalled: () => HttpError | undefined }>();

/** Messages parsed ahead of the reader before the vendor's body is paused. */
const QUEUED_MESSAGES = 64;
/** How long the rest of a vendor's body may take to arrive once its reader stopped, in ms. */
const DRAIN_MS = 1000;

/**
 * The SSE messages of a vendor's stream, each as it arrives: eventsource-parser fed by the body
 * as it comes (its `data` events, no async iteration per chunk), bounded to `LIMITS.eventMaxChars`
 * per event. A body that was received whole when its reader stops (the vendor's `[DONE]`) is
 * drained, so its connection goes back to the pool for the next call instead of being closed.
 */
export function upstreamEvents(response: Response): AsyncIterableIterator<EventSourceMessage> {
  const watchdog = watchdogs.get(response);
  const node = nodeBodies.get(response);
  const web = node ? undefined : response.body;
  let queue: EventSourceMessage[] = [];
  let head = 0;
  let ended = false;
  let failure: unknown;
  let closed = false;
  let paused = false;
  let waiting: { resolve: (result: IteratorResult<EventSourceMessage>) => void; reject: (error: unknown) => void } | undefined;
  let room: (() => void) | undefined;
  let tooLong = false;
  const parser = createParser({
    onEvent: (message) => void queue.push(message),
    // A line without end is refused once it passes the bound; other parse errors are skipped.
    onError: (error) => void (tooLong ||= error.type === 'max-buffer-size-exceeded'),
    maxBufferSize: LIMITS.eventMaxChars,
  });
  const fail = (error: unknown) => {
    if (failure !== undefined || ended) return;
    failure = error;
    wake();
  };
  const onText = (text: string) => {
    if (closed) return;
    watchdog?.arm();
    parser.feed(text);
    if (tooLong) {
      queue = [];
      head = 0;
      return fail(malformed());
    }
    if (queue.length - head >= QUEUED_MESSAGES && node && !paused) {
      paused = true;
      node.readable.pause();
    }
    wake();
  };
  const onEnd = (error?: unknown) => {
    if (error) {
      // A stalled vendor (504), or a connection cut.
      const stalled = watchdog?.stalled();
      return fail(stalled ?? (error instanceof HttpError ? error : new HttpError(502, 'upstream_unavailable', 'The reply was cut off before it finished.')));
    }
    ended = true;
    wake();
  };
  function wake() {
    const reader = waiting;
    if (!reader) return;
    waiting = undefined;
    void next().then(reader.resolve, reader.reject);
  }
  const close = () => {
    if (closed) return;
    closed = true;
    watchdog?.clear();
    room?.();
    if (node) {
      const { readable, incoming } = node;
      readable.off('data', onText);
      if (readable.destroyed || readable.readableEnded) return;
      // The rest is drained so the connection is reused: at once when it was received whole
      // (the usual `[DONE]`), else for a moment before the call is cut. A Stop has aborted
      // the request already.
      readable.resume();
      if (!incoming.complete) {
        const cut = setTimeout(() => readable.destroy(), DRAIN_MS);
        cut.unref?.();
        readable.once('end', () => clearTimeout(cut));
      }
    }
  };
  let cancelWeb: (() => void) | undefined;
  if (node) {
    node.readable.on('data', onText);
    finished(node.readable, { writable: false }, (error) => onEnd(error ?? undefined));
  } else if (web) {
    const reader = web.getReader();
    const decoder = new TextDecoder();
    cancelWeb = () => void reader.cancel().catch(() => {});
    void (async () => {
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done || closed) return onEnd();
          onText(decoder.decode(value, { stream: true }));
          if (queue.length - head >= QUEUED_MESSAGES) await new Promise<void>((resolve) => (room = resolve));
        }
      } catch (error) {
        onEnd(error ?? new Error('read failed'));
      }
    })();
  } else failure = malformed();

  function next(): Promise<IteratorResult<EventSourceMessage>> {
    if (head < queue.length) {
      const value = queue[head++]!;
      if (head === queue.length) {
        queue = [];
        head = 0;
        if (paused) {
          paused = false;
          node?.readable.resume();
        }
        room?.();
        room = undefined;
      }
      return Promise.resolve({ value, done: false });
    }
    if (failure !== undefined) {
      const error = failure;
      failure = undefined;
      ended = true;
      finish();
      return Promise.reject(error);
    }
    if (ended || closed) {
      finish();
      return Promise.resolve({ value: undefined, done: true });
    }
    return new Promise((resolve, reject) => (waiting = { resolve, reject }));
  }
  const finish = () => {
    close();
    cancelWeb?.();
  };
  return {
    next,
    async return() {
      finish();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/** Parses one event's JSON data, answering `upstream_malformed` when it is not JSON. */
export function parseData(data: string): unknown {
  try {
    return JSON.parse(data);
  } catch {
    throw malformed();
  }
}

/** Joins a configured base URL and a path. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path}`;
}

/** Fields of `payload` other than `known`, or `undefined` when none is left. */
export function rawExtra(payload: Record<string, unknown>, known: readonly string[]): Record<string, unknown> | undefined {
  const extra = Object.fromEntries(Object.entries(payload).filter(([key]) => !known.includes(key)));
  return Object.keys(extra).length ? extra : undefined;
}

/** Where an adapter reports problems: the configured `log`, or a `[concierge]` warning. */
export function upstreamLog(options: Pick<UpstreamOptions, 'log'>): (line: string) => void {
  return options.log ?? ((line: string) => console.warn(`[concierge] ${line}`));
}

/** Whether a vendor answered with Server-Sent Events rather than one JSON body. */
export function isEventStream(response: Response): boolean {
  return (response.headers.get('content-type') ?? '').includes('text/event-stream');
}
