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
  /** The event's JSON as logged (`JSON.stringify(event)`), when known: SSE is encoded from it. */
  data?: string;
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

/** Where a reader's events go, pushed as they are logged (no async step per event). */
export interface ReplySink {
  /** Events in order; a reply's terminal event (`done` or `error`) is the last given. */
  events(batch: LoggedReplyEvent[]): void;
  /** Called once: after the terminal event, when the reader stopped, or with the failure that stopped it. */
  end(error?: unknown): void;
}

/** Starts pushing a reply's events into a sink; the function returned stops it (and ends the sink). */
export type ReplyReader = (sink: ReplySink) => () => void;

/** A reply produced by this instance: its events so far, and who waits for the next. */
interface Production {
  replyId: string;
  events: LoggedReplyEvent[];
  ended: boolean;
  /** Local readers, told of each event as it is logged. */
  listeners: Set<(logged: LoggedReplyEvent) => void>;
  controller: AbortController;
  stop: () => void;
}

const TERMINAL = new Set(['done', 'error']);
/** How long a Stop that came before its turn's request waits for it. */
const STOP_BEFORE_START_SECONDS = 60;
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
  /**
   * The productions of this instance, watched by one timer: every lease renewal and stop-flag read
   * of a round goes out in the same turn (one pipelined write on Redis), not a timer per reply.
   */
  const watched = new Map<string, { renew: () => Promise<void>; lastRenewal: number; abort: () => void }>();
  let watcher: ReturnType<typeof setInterval> | undefined;
  const watch = (replyId: string, entry: { renew: () => Promise<void>; lastRenewal: number; abort: () => void }) => {
    watched.set(replyId, entry);
    watcher ??= setInterval(() => {
      if (!watched.size) {
        clearInterval(watcher);
        watcher = undefined;
        return;
      }
      const now = Date.now();
      const round = [...watched];
      for (const [, production] of round) {
        if (now - production.lastRenewal >= leaseMs) {
          production.lastRenewal = now;
          production.renew().catch(() => {});
        }
      }
      // The stop flags of all of them in one read where the store can (one MGET on Redis, where
      // a GET each was thousands of commands a second with hundreds of replies streaming).
      const flags = round.map(([id]) => `stop:${id}`);
      const stops = store.getMany ? store.getMany(flags) : Promise.all(flags.map((flag) => store.get(flag)));
      stops.then(
        (values) => values.forEach((stopped, index) => stopped !== undefined && round[index]![1].abort()),
        () => {},
      );
    }, pollMs);
    (watcher as { unref?: () => void }).unref?.();
  };
  const logName = (replyId: string) => `reply:${replyId}`;

  const alive = async (replyId: string, record?: KeyRecord) =>
    productions.has(replyId) ||
    (await store.get(`lease:${replyId}`)) !== undefined ||
    (record !== undefined && Date.now() - record.startedAt < leaseMs * 3);

  /**
   * Starts producing a reply on this instance. Resolves once its first event is logged; rejects
   * with the failure when it fails before any (the request then answers with that status).
   * `held`, when given, is store work that must be done before the first event is logged (the
   * turn's key bound to this reply): it runs while the vendor is asked, as the lease does.
   */
  async function produce(
    replyId: string,
    source: ReplySource,
    onResult?: (result: SendMessageResponse) => Promise<void>,
    held?: Promise<unknown>,
  ) {
    const production: Production = {
      replyId,
      events: [],
      ended: false,
      listeners: new Set(),
      controller: new AbortController(),
      stop: () => {},
    };
    const { controller } = production;
    productions.set(replyId, production);
    // One name string for the whole reply: a store keyed by it hashes it once, not per event.
    const log = logName(replyId);
    // A store that can give this producer its own writer (Redis) names each event at once and
    // sends them in batches: readers here never wait on the store.
    const writer = store.openLog?.(log, replyTtl);
    let appending: Promise<void> | undefined;
    let logFailed = false;
    let sequence = 0;
    let inFlight = 0;
    /** Gives a logged event to this instance's readers, in the same turn. */
    const publish = (event: StreamEvent, data: string, id: string) => {
      sequence++;
      const logged: LoggedReplyEvent = { id: `${replyId}/${id}`, event, data };
      production.events.push(logged);
      if (TERMINAL.has(event.type)) production.ended = true;
      for (const listener of production.listeners) listener(logged);
    };
    /** A store that failed to log: the reply goes on for this instance's readers; others cannot follow it. */
    const unlogged = (error: unknown) => {
      if (!logFailed) onError(error);
      logFailed = true;
      return `local-${sequence}`;
    };
    const settle = () => {
      if (--inFlight === 0) appending = undefined;
    };
    /**
     * Logs one event, then publishes it. A store that logs synchronously (the memory store) takes
     * no promise at all: the event reaches readers in the turn it was produced.
     */
    const commit = (event: StreamEvent): void | Promise<void> => {
      if (production.ended) return settle();
      // Stringified once: the log keeps this text and SSE readers encode from it.
      const data = JSON.stringify(event);
      let id: string | Promise<string>;
      try {
        id = writer ? writer.append(data) : logFailed ? `local-${sequence}` : store.appendEvent(log, data, replyTtl);
      } catch (error) {
        id = unlogged(error);
      }
      if (typeof id === 'string') {
        try {
          return publish(event, data, id);
        } finally {
          settle();
        }
      }
      return id.then(
        (logged) => publish(event, data, logged),
        (error: unknown) => publish(event, data, unlogged(error)),
      ).finally(settle);
    };
    // Appends run one after another (a Stop's may come while an event is being logged); with
    // none in flight, one runs at once.
    const append = (event: StreamEvent): void | Promise<void> => {
      inFlight++;
      if (appending) return (appending = appending.then(() => commit(event)));
      const pending = commit(event);
      if (pending) appending = pending;
      return pending;
    };
    // A Stop on this instance ends the log at once; the vendor's request is aborted with it.
    production.stop = () => {
      void append(STOPPED);
      controller.abort();
    };

    // The lease says the producer lives; the stop flag reaches it from any instance. It is taken
    // while the vendor is asked (a store round trip less before the first token); no event is
    // logged before it is held, and a store that cannot take it fails the request (503).
    const renew = () => store.set(`lease:${replyId}`, 1, Math.ceil((leaseMs * 3) / 1000));
    let over = false;
    let leased: Promise<void> | undefined = Promise.all([renew(), held]).then(() => {
      if (!over) watch(replyId, { renew, lastRenewal: Date.now(), abort: () => controller.abort() });
    });
    leased.catch(() => {});

    let first!: (value: void) => void;
    let failFirst!: (error: unknown) => void;
    const ready = new Promise<void>((resolve, reject) => ((first = resolve), (failFirst = reject)));
    const finished = (async () => {
      let started = false;
      try {
        for await (const event of source(controller.signal)) {
          if (leased) {
            await leased;
            leased = undefined;
          }
          if (controller.signal.aborted) break;
          if (event.type === 'done') await onResult?.(resultOf(production, event));
          const appended = append(event);
          if (appended) await appended;
          if (!started) {
            started = true;
            first();
          }
          if (event.type === 'done') break;
        }
        await leased;
        if (controller.signal.aborted) await append(STOPPED);
        else if (!production.ended) await append(LOST);
      } catch (thrown) {
        // A vendor request cut by a Stop may end with its abort: the reply was stopped, not failed
        // (readers, this request's too, get the stopped log).
        if (controller.signal.aborted) await append(STOPPED);
        else {
          const error =
            thrown instanceof HttpError
              ? thrown
              : new HttpError(502, 'upstream_unavailable', 'The answer could not be completed. Please try again.');
          if (!(thrown instanceof HttpError)) onError(thrown);
          const { code, message, retryAfterSeconds, reason } = error.toBody().error;
          await append({
            type: 'error',
            code,
            message,
            ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
            ...(reason === undefined ? {} : { reason }),
          });
          if (!started) failFirst(error);
        }
      } finally {
        over = true;
        watched.delete(replyId);
        await appending;
        // Everything is in the shared log before this instance stops answering for the reply.
        await writer?.end().catch(unlogged);
        first();
        productions.delete(replyId);
        await store.delete(`lease:${replyId}`).catch(() => {});
      }
    })();
    return { replyId, production, ready, finished };
  }

  /**
   * A reader of a reply's events after `afterId` (from the start for `null`), then of its live
   * events until its end. On the instance producing it, every event is pushed to the sink as it is
   * logged, in the same turn; elsewhere the log is polled and each poll's events come as one
   * batch. A reply whose producer is gone ends with an `upstream_unavailable` error.
   */
  function reader(replyId: string, afterId: string | null, signal: AbortSignal): ReplyReader {
    return (sink) => {
      let closed = false;
      let cleanup: (() => void) | undefined;
      const close = (error?: unknown) => {
        if (closed) return;
        closed = true;
        cleanup?.();
        signal.removeEventListener('abort', onAbort);
        sink.end(error);
      };
      const onAbort = () => close();
      /** Gives a batch up to its terminal event; true when that ended the reading. */
      const give = (batch: LoggedReplyEvent[]) => {
        const end = batch.findIndex((logged) => TERMINAL.has(logged.event.type));
        if (end >= 0) batch = batch.slice(0, end + 1);
        if (batch.length) sink.events(batch);
        if (end >= 0) close();
        return end >= 0;
      };
      if (signal.aborted) {
        close();
        return close;
      }
      signal.addEventListener('abort', onAbort, { once: true });
      const local = productions.get(replyId);
      if (local) {
        const index = afterId === null ? 0 : local.events.findIndex((event) => event.id === afterId) + 1;
        if (give(local.events.slice(index)) || local.ended) {
          close();
          return close;
        }
        const listener = (logged: LoggedReplyEvent) => {
          sink.events([logged]);
          if (TERMINAL.has(logged.event.type)) close();
        };
        local.listeners.add(listener);
        cleanup = () => local.listeners.delete(listener);
        return close;
      }
      void poll(replyId, afterId, signal, give, () => closed).then(() => close(), close);
      return close;
    };
  }

  /** Follows a reply produced on another instance by polling its log. */
  async function poll(
    replyId: string,
    afterId: string | null,
    signal: AbortSignal,
    give: (batch: LoggedReplyEvent[]) => boolean,
    closed: () => boolean,
  ): Promise<void> {
    let cursor = afterId === null ? null : afterId.slice(replyId.length + 1);
    let lastCheck = Date.now();
    /** Log entries as events, up to and including a terminal one. */
    const parse = (entries: { id: string; data: string }[]) => {
      const batch: LoggedReplyEvent[] = [];
      for (const { id, data } of entries) {
        cursor = id;
        batch.push({ id: `${replyId}/${id}`, event: JSON.parse(data) as StreamEvent, data });
      }
      return batch;
    };
    for (;;) {
      if (signal.aborted || closed()) return;
      const batch = parse(await store.readEvents(logName(replyId), cursor));
      if (closed() || give(batch)) return;
      if (batch.length) lastCheck = Date.now();
      else if (Date.now() - lastCheck >= leaseMs) {
        lastCheck = Date.now();
        if (!(await alive(replyId))) {
          // Its ending may have been logged just before the lease went.
          const last = parse(await store.readEvents(logName(replyId), cursor));
          if (!give(last)) give([{ id: `${replyId}/lost`, event: LOST }]);
          return;
        }
      }
      await sleep(pollMs, signal);
    }
  }

  return {
    produce,
    reader,
    /**
     * Finds or starts the reply of an `Idempotency-Key`: `join` a reply in flight or finished,
     * `produce` a new one (the key was free, or its producer died), or 422 for another body.
     */
    async claim(key: string, fingerprint: string, threadId: string | undefined): Promise<
      { type: 'join'; replyId: string; result?: SendMessageResponse } | { type: 'new'; bind: (replyId: string) => Promise<void> }
    > {
      const name = `key:${key}`;
      const bind = async (replyId: string) => {
        const record: KeyRecord = { fingerprint, replyId, startedAt: Date.now(), ...(threadId ? { threadId } : {}) };
        await store.set(name, record, keyTtl);
        // Read after the binding is written, as a Stop writes its mark before it reads the key: of
        // a Stop and a binding that cross, one always sees the other. Not waited for: the first
        // token does not wait on it (the shopper who stopped is not reading).
        void stopIfMarked(key, replyId).catch(onError);
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
    stop,
    /**
     * A Stop for a key not bound to a reply yet: its request has not reached any instance, or its
     * reply is about to start. Remembered for a minute, so that reply is stopped as it is bound;
     * gives the key's record as it is once the mark is written (bound meanwhile: stopped here,
     * once `owns` accepted the caller for the record's thread; refused, the mark is taken back).
     */
    async stopBeforeStart(key: string, owns: (threadId: string) => Promise<void>): Promise<KeyRecord | undefined> {
      await store.set(`stop-key:${key}`, 1, STOP_BEFORE_START_SECONDS);
      const record = await store.get<KeyRecord>(`key:${key}`);
      if (record?.threadId) {
        await owns(record.threadId).catch(async (error: unknown) => {
          await store.delete(`stop-key:${key}`);
          throw error;
        });
      }
      if (record?.replyId && !record.result) {
        await stop(record.replyId);
        await store.delete(`stop-key:${key}`);
      }
      return record;
    },
  };

  /** Stops this instance's reply of a key that a Stop reached before the key was bound. */
  async function stopIfMarked(key: string, replyId: string) {
    if ((await store.get(`stop-key:${key}`)) === undefined) return;
    await store.delete(`stop-key:${key}`);
    const local = productions.get(replyId);
    if (local && !local.ended) local.stop();
  }

  /**
   * Stops a reply wherever it is produced: its log ends here (no event after it), and its
   * producer aborts the vendor's request, at once on this instance, within a poll on another.
   */
  async function stop(replyId: string) {
    const local = productions.get(replyId);
    if (local) return local.stop();
    await store.set(`stop:${replyId}`, 1, replyTtl);
    await store.appendEvent(logName(replyId), JSON.stringify(STOPPED), replyTtl);
  }
}

export type ReplyLog = ReturnType<typeof createReplyLog>;

function resultOf(production: Production, done: Extract<StreamEvent, { type: 'done' }>): SendMessageResponse {
  // Joined once rather than added to per delta: the result is kept with the turn's key.
  const text: string[] = [];
  let sources: SendMessageResponse['sources'] = [];
  let products: SendMessageResponse['products'];
  let suggestions: SendMessageResponse['suggestions'];
  for (const { event } of production.events) {
    if (event.type === 'delta') text.push(event.text);
    else if (event.type === 'sources') sources = event.sources;
    else if (event.type === 'products') products = event.products;
    else if (event.type === 'suggestions') suggestions = event.suggestions;
  }
  const { type, threadToken, ...ids } = done;
  return { ...ids, text: text.join(''), sources, ...(products?.length ? { products } : {}), ...(suggestions?.length ? { suggestions } : {}) };
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
