import type { SendMessageResponse, StreamEvent } from '@concierge/core';
import { HttpError } from './http-error';
import type { ProxyStore } from './store';

/**
 * Replies that outlive their request. Each reply is produced once, by one instance, detached
 * from the request that asked for it: the producer keeps reading the vendor after the browser
 * goes away, until the reply is done or stopped. Every event is appended to a log in the store
 * as it is produced, so a reader on any instance can follow the reply from any point
 * (`Last-Event-ID`). An `Idempotency-Key` maps to the reply it produced for 24 hours, so a
 * repeated request joins the reply in flight or gets the finished one, and never reaches the
 * vendor again. The producer renews a lease while it runs; a reply whose lease lapsed without an
 * ending was lost with its instance.
 */

/** A reply's event as the log keeps it: thread tokens are added per reader, never stored. */
export interface LoggedReplyEvent {
  /** `{replyId}/{log id}`: the SSE `id:`. */
  id: string;
  event: StreamEvent;
}

/** What an `Idempotency-Key` stands for while it is kept. */
interface KeyRecord {
  /** SHA-256 of the request: the same key with another body is refused. */
  fingerprint: string;
  replyId: string;
  /** The thread the request continued, whose token a reader must show. */
  threadId?: string;
  startedAt: number;
  /** The finished reply, without its token, once it is done. */
  result?: SendMessageResponse;
}

export interface ReplyLogOptions {
  store: ProxyStore;
  onError: (error: unknown) => void;
  /** How long a reply's events are kept after its last one, in seconds. @default 600 */
  replyTtlSeconds?: number;
  /** How long an `Idempotency-Key` is remembered, in seconds. @default 86400 */
  keyTtlSeconds?: number;
  /** A producer renews its lease this often; a lease lapses after three times as long. @default 2000 */
  leaseIntervalMs?: number;
  /** How often a reader on another instance looks for new events, and a producer for a Stop. @default 100 */
  pollIntervalMs?: number;
}

/** Produces the events of one reply, stopping when `signal` aborts. */
export type ReplySource = (signal: AbortSignal) => AsyncIterable<StreamEvent>;

/** A reply produced by this instance: its events so far, and who waits for the next. */
interface Production {
  replyId: string;
  events: LoggedReplyEvent[];
  ended: boolean;
  wake: Set<() => void>;
  controller: AbortController;
  stop: () => void;
}

const TERMINAL = new Set(['done', 'error']);
const STOPPED = { type: 'error', code: 'aborted', message: 'The reply was stopped.' } satisfies StreamEvent;
const LOST: StreamEvent = {
  type: 'error',
  code: 'upstream_unavailable',
  message: 'The reply was cut off before it finished. Please try again.',
};

export function createReplyLog(options: ReplyLogOptions) {
  const { store, onError } = options;
  const replyTtl = options.replyTtlSeconds ?? 600;
  const keyTtl = options.keyTtlSeconds ?? 86_400;
  const leaseMs = options.leaseIntervalMs ?? 2000;
  const pollMs = options.pollIntervalMs ?? 100;
  const productions = new Map<string, Production>();
  const logName = (replyId: string) => `reply:${replyId}`;

  const alive = async (replyId: string, record?: KeyRecord) =>
    productions.has(replyId) ||
    (await store.get(`lease:${replyId}`)) !== undefined ||
    (record !== undefined && Date.now() - record.startedAt < leaseMs * 3);

  /**
   * Starts producing a reply on this instance. Resolves once its first event is logged; rejects
   * with the failure when it fails before any (the request then answers with that status).
   */
  async function produce(replyId: string, source: ReplySource, onResult?: (result: SendMessageResponse) => Promise<void>) {
    const production: Production = {
      replyId,
      events: [],
      ended: false,
      wake: new Set(),
      controller: new AbortController(),
      stop: () => {},
    };
    const { controller } = production;
    productions.set(replyId, production);
    let appending = Promise.resolve();
    let logFailed = false;
    let sequence = 0;
    const append = (event: StreamEvent) =>
      (appending = appending.then(async () => {
        if (production.ended) return;
        let id: string;
        try {
          id = logFailed ? `local-${sequence}` : await store.appendEvent(logName(replyId), JSON.stringify(event), replyTtl);
        } catch (error) {
          // The reply goes on for the readers of this instance; others cannot follow it.
          if (!logFailed) onError(error);
          logFailed = true;
          id = `local-${sequence}`;
        }
        sequence++;
        production.events.push({ id: `${replyId}/${id}`, event });
        if (TERMINAL.has(event.type)) production.ended = true;
        for (const wake of production.wake) wake();
      }));
    // A Stop on this instance ends the log at once; the vendor's request is aborted with it.
    production.stop = () => {
      void append(STOPPED);
      controller.abort();
    };

    // The lease says the producer lives; the stop flag reaches it from any instance.
    const renew = () => store.set(`lease:${replyId}`, 1, Math.ceil((leaseMs * 3) / 1000));
    // A store that cannot take the lease fails the request (503) before the vendor is asked.
    try {
      await renew();
    } catch (error) {
      productions.delete(replyId);
      throw error;
    }
    let lastRenewal = Date.now();
    const watch = setInterval(() => {
      if (Date.now() - lastRenewal >= leaseMs) {
        lastRenewal = Date.now();
        renew().catch(() => {});
      }
      store.get(`stop:${replyId}`).then(
        (stopped) => stopped !== undefined && controller.abort(),
        () => {},
      );
    }, pollMs);
    (watch as { unref?: () => void }).unref?.();

    let first!: (value: void) => void;
    let failFirst!: (error: unknown) => void;
    const ready = new Promise<void>((resolve, reject) => ((first = resolve), (failFirst = reject)));
    const finished = (async () => {
      let started = false;
      try {
        for await (const event of source(controller.signal)) {
          if (controller.signal.aborted) break;
          if (event.type === 'done') await onResult?.(resultOf(production, event));
          await append(event);
          if (!started) {
            started = true;
            first();
          }
          if (event.type === 'done') break;
        }
        if (controller.signal.aborted) await append(STOPPED);
        else if (!production.ended) await append(LOST);
      } catch (thrown) {
        const error =
          thrown instanceof HttpError
            ? thrown
            : new HttpError(502, 'upstream_unavailable', 'The answer could not be completed. Please try again.');
        if (!(thrown instanceof HttpError)) onError(thrown);
        const { code, message, retryAfterSeconds, reason } = error.toBody().error;
        await append({
          type: 'error',
          code: controller.signal.aborted ? 'aborted' : code,
          message: controller.signal.aborted ? STOPPED.message : message,
          ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
          ...(reason === undefined ? {} : { reason }),
        });
        if (!started) failFirst(error);
      } finally {
        clearInterval(watch);
        await appending;
        first();
        productions.delete(replyId);
        await store.delete(`lease:${replyId}`).catch(() => {});
      }
    })();
    return { replyId, production, ready, finished };
  }

  /**
   * The events of a reply after `afterId` (from the start for `null`), then its live events,
   * until its end, in batches: every event there is when the reader asks, so a busy server
   * writes one chunk per batch rather than one per event. A reply whose producer is gone ends
   * with an `upstream_unavailable` error.
   */
  async function* follow(replyId: string, afterId: string | null, signal: AbortSignal): AsyncGenerator<LoggedReplyEvent[]> {
    const local = productions.get(replyId);
    if (local) {
      let index = afterId === null ? 0 : local.events.findIndex((event) => event.id === afterId) + 1;
      // One waker for the whole follow (not a listener per batch): the producer calls it after
      // each event, an abort calls it once.
      let resume: (() => void) | undefined;
      const wake = () => {
        const waiting = resume;
        resume = undefined;
        waiting?.();
      };
      local.wake.add(wake);
      signal.addEventListener('abort', wake, { once: true });
      try {
        for (;;) {
          if (index < local.events.length) {
            const batch = local.events.slice(index);
            const end = batch.findIndex((logged) => TERMINAL.has(logged.event.type));
            if (end >= 0) return yield batch.slice(0, end + 1);
            index += batch.length;
            yield batch;
            continue;
          }
          if (local.ended || signal.aborted) return;
          await new Promise<void>((resolve) => (resume = resolve));
        }
      } finally {
        local.wake.delete(wake);
        signal.removeEventListener('abort', wake);
      }
    }
    let cursor = afterId === null ? null : afterId.slice(replyId.length + 1);
    let lastCheck = Date.now();
    /** Log entries as events, up to and including a terminal one; `done` when it came. */
    const parse = (entries: { id: string; data: string }[]) => {
      const batch: LoggedReplyEvent[] = [];
      for (const { id, data } of entries) {
        cursor = id;
        const event = JSON.parse(data) as StreamEvent;
        batch.push({ id: `${replyId}/${id}`, event });
        if (TERMINAL.has(event.type)) return { batch, done: true };
      }
      return { batch, done: false };
    };
    for (;;) {
      if (signal.aborted) return;
      const { batch, done } = parse(await store.readEvents(logName(replyId), cursor));
      if (batch.length) yield batch;
      if (done) return;
      if (batch.length) lastCheck = Date.now();
      else if (Date.now() - lastCheck >= leaseMs) {
        lastCheck = Date.now();
        if (!(await alive(replyId))) {
          // Its ending may have been logged just before the lease went.
          const last = parse(await store.readEvents(logName(replyId), cursor));
          if (last.done) return yield last.batch;
          return yield [...last.batch, { id: `${replyId}/lost`, event: LOST }];
        }
      }
      await sleep(pollMs, signal);
    }
  }

  return {
    produce,
    follow,
    /**
     * Finds or starts the reply of an `Idempotency-Key`: `join` a reply in flight or finished,
     * `produce` a new one (the key was free, or its producer died), or 422 for another body.
     */
    async claim(key: string, fingerprint: string, threadId: string | undefined): Promise<
      { type: 'join'; replyId: string; result?: SendMessageResponse } | { type: 'new'; bind: (replyId: string) => Promise<void> }
    > {
      const name = `key:${key}`;
      const bind = (replyId: string) => {
        const record: KeyRecord = { fingerprint, replyId, startedAt: Date.now(), ...(threadId ? { threadId } : {}) };
        return store.set(name, record, keyTtl);
      };
      for (let tries = 0; tries < 20; tries++) {
        const placeholder: KeyRecord = { fingerprint, replyId: '', startedAt: Date.now(), ...(threadId ? { threadId } : {}) };
        if (await store.claim(name, placeholder, keyTtl)) return { type: 'new', bind };
        const record = await store.get<KeyRecord>(name);
        if (!record) continue;
        if (record.fingerprint !== fingerprint) {
          throw new HttpError(422, 'invalid_request', 'This Idempotency-Key was already used with a different request.', {
            field: 'Idempotency-Key',
          });
        }
        if (record.result || (record.replyId && (await alive(record.replyId, record)))) {
          return { type: 'join', replyId: record.replyId, ...(record.result ? { result: record.result } : {}) };
        }
        if (!record.replyId && Date.now() - record.startedAt < leaseMs * 3) {
          // Another request holds the key and is about to start its reply.
          await sleep(pollMs);
          continue;
        }
        // Its producer died: the first request to notice takes the key over.
        if (await store.claim(`takeover:${record.replyId || record.startedAt}:${key}`, 1, keyTtl)) return { type: 'new', bind };
        await sleep(pollMs);
      }
      throw new HttpError(503, 'upstream_unavailable', 'The chat is briefly unavailable. Please try again in a moment.', {
        headers: { 'retry-after': '2' },
        retryAfterSeconds: 2,
      });
    },
    /** Records the finished reply of a key, so a repeat after its log expired still gets it. */
    async finish(key: string, result: SendMessageResponse) {
      const record = await store.get<KeyRecord>(`key:${key}`);
      if (record) await store.set(`key:${key}`, { ...record, result }, keyTtl);
    },
    /** Frees a key whose reply failed or was stopped, so the turn can be sent again. */
    async release(key: string, replyId: string) {
      const record = await store.get<KeyRecord>(`key:${key}`);
      if (record?.replyId === replyId && !record.result) await store.delete(`key:${key}`);
    },
    /** Whether a reply's events are still kept. */
    async logged(replyId: string) {
      return (await store.readEvents(logName(replyId), null)).length > 0;
    },
    /** The reply of a key, when it is still known. */
    lookup(key: string) {
      return store.get<KeyRecord>(`key:${key}`);
    },
    /**
     * Stops a reply wherever it is produced: its log ends here (no event after it), and its
     * producer aborts the vendor's request, at once on this instance, within a poll on another.
     */
    async stop(replyId: string) {
      const local = productions.get(replyId);
      if (local) return local.stop();
      await store.set(`stop:${replyId}`, 1, replyTtl);
      await store.appendEvent(logName(replyId), JSON.stringify(STOPPED), replyTtl);
    },
  };
}

export type ReplyLog = ReturnType<typeof createReplyLog>;

function resultOf(production: Production, done: Extract<StreamEvent, { type: 'done' }>): SendMessageResponse {
  let text = '';
  let sources: SendMessageResponse['sources'] = [];
  let products: SendMessageResponse['products'];
  let suggestions: SendMessageResponse['suggestions'];
  for (const { event } of production.events) {
    if (event.type === 'delta') text += event.text;
    else if (event.type === 'sources') sources = event.sources;
    else if (event.type === 'products') products = event.products;
    else if (event.type === 'suggestions') suggestions = event.suggestions;
  }
  const { type, threadToken, ...ids } = done;
  return { ...ids, text, sources, ...(products?.length ? { products } : {}), ...(suggestions?.length ? { suggestions } : {}) };
}

function sleep(milliseconds: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, milliseconds);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
