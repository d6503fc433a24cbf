import type { ThreadMessage } from '@concierge/core';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import { createClient } from 'redis';
import { HttpError } from './http-error';
import type { LoggedEvent, LogWriter, ProxyStore } from './store';

export interface RedisStoreOptions {
  /** `redis://…` or `rediss://…` (`CONCIERGE_REDIS_URL`). */
  url: string;
  /** Prefix of every key, so several stores can share one Redis. @default "concierge:" */
  prefix?: string;
  /** Messages kept per thread. @default 200 */
  maxMessagesPerThread?: number;
  /** How long one command may take before the request fails with a 503. @default 2000 */
  commandTimeoutMs?: number;
  /** Reports connection trouble (never data). @default console.error */
  onError?: (error: unknown) => void;
  /**
   * A reply's producer sends its events to the log at most this often, each batch one stream
   * entry (its readers on this instance get every event at once; readers elsewhere poll the log).
   * @default 50
   */
  logFlushMs?: number;
}

/** A stream entry's id as numbers, to compare ids of entries and of the events inside them. */
const idParts = (id: string) => {
  const dash = id.indexOf('-');
  return [Number(id.slice(0, dash)), Number(id.slice(dash + 1))] as const;
};
const after = (id: string, cursor: string) => {
  const [ms, seq] = idParts(id);
  const [cursorMs, cursorSeq] = idParts(cursor);
  return ms > cursorMs || (ms === cursorMs && seq > cursorSeq);
};

/**
 * The store on Redis (node-redis), shared by every instance of the proxy: threads are lists,
 * values are strings with `EX`, locks are `SET NX`, reply logs are Streams, limits are
 * rate-limiter-flexible's Redis limiter. When Redis is unreachable a command fails at once (no
 * offline queue) and the request gets a 503 JSON error; the client reconnects by itself.
 *
 * @example
 * const store = createRedisStore({ url: process.env.CONCIERGE_REDIS_URL! })
 * createConciergeHandler({ provider, store })
 */
export function createRedisStore(options: RedisStoreOptions): ProxyStore {
  const { prefix = 'concierge:', maxMessagesPerThread = 200, commandTimeoutMs = 2000, logFlushMs = 50 } = options;
  const onError = options.onError ?? ((error: unknown) => console.error('[concierge] Redis:', error));
  const client = createClient({
    url: options.url,
    disableOfflineQueue: true,
    commandOptions: { timeout: commandTimeoutMs },
    socket: { connectTimeout: commandTimeoutMs, reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 2000) },
  });
  let lastReported = 0;
  client.on('error', (error: unknown) => {
    // Reconnection keeps failing while Redis is away: say so once in a while, not per attempt.
    if (Date.now() - lastReported > 10_000) onError(error);
    lastReported = Date.now();
  });
  const connecting = client.connect().catch(() => {});
  const key = (name: string) => `${prefix}${name}`;
  /** When each recent reply log's TTL was last set, by log name (the most recent 10,000). */
  const expiries = new Map<string, number>();

  // The commands a streaming reply sends per event or per poll (XADD, XRANGE, GET) go without
  // node-redis's own timeout, which costs an AbortSignal, a timer and its listeners per command
  // (a tenth of a core at 100 streams): one sweep bounds them all instead.
  const hot = client.withCommandOptions({ timeout: 0 });
  const inFlight = new Set<{ started: number; fail: () => void }>();
  let sweep: ReturnType<typeof setInterval> | undefined;
  const bounded = <T>(command: Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const entry = { started: Date.now(), fail: () => reject(new Error(`Redis did not answer within ${commandTimeoutMs} ms.`)) };
      inFlight.add(entry);
      sweep ??= setInterval(() => {
        const now = Date.now();
        // Oldest first: the first still within the bound ends the sweep.
        for (const pending of inFlight) {
          if (now - pending.started < commandTimeoutMs) break;
          inFlight.delete(pending);
          pending.fail();
        }
        if (!inFlight.size) {
          clearInterval(sweep);
          sweep = undefined;
        }
      }, Math.max(10, commandTimeoutMs / 4));
      (sweep as { unref?: () => void }).unref?.();
      command.then(
        (value) => {
          inFlight.delete(entry);
          resolve(value);
        },
        (error: unknown) => {
          inFlight.delete(entry);
          reject(error);
        },
      );
    });

  /** Runs a command; an unreachable Redis becomes a 503 the client may retry. */
  const run = async <T>(command: () => Promise<T>): Promise<T> => {
    await connecting;
    try {
      return await command();
    } catch (error) {
      onError(error);
      throw new HttpError(503, 'upstream_unavailable', 'The chat is briefly unavailable. Please try again in a moment.', {
        headers: { 'retry-after': '2' },
        retryAfterSeconds: 2,
      });
    }
  };

  return {
    appendMessages(threadId, messages, ttlSeconds) {
      const name = key(`thread:${threadId}`);
      return run(async () => {
        await client
          .multi()
          .rPush(name, messages.map((message) => JSON.stringify(message)))
          .lTrim(name, -maxMessagesPerThread, -1)
          .expire(name, ttlSeconds)
          .exec();
      });
    },
    readMessages(threadId) {
      return run(async () => {
        const items = await client.lRange(key(`thread:${threadId}`), 0, -1);
        return items.length ? items.map((item) => JSON.parse(item) as ThreadMessage) : undefined;
      });
    },
    get<T>(name: string) {
      return run(async () => {
        const value = await bounded(hot.get(key(`value:${name}`)));
        return value === null ? undefined : (JSON.parse(value) as T);
      });
    },
    getMany<T>(names: string[]) {
      return run(async () => {
        if (!names.length) return [];
        const values = await bounded(hot.mGet(names.map((name) => key(`value:${name}`))));
        return values.map((value) => (value === null ? undefined : (JSON.parse(String(value)) as T)));
      });
    },
    set(name, value, ttlSeconds) {
      return run(async () => {
        await client.set(key(`value:${name}`), JSON.stringify(value), { expiration: { type: 'EX', value: ttlSeconds } });
      });
    },
    claim(name, value, ttlSeconds) {
      return run(async () => {
        const reply = await client.set(key(`value:${name}`), JSON.stringify(value), {
          expiration: { type: 'EX', value: ttlSeconds },
          condition: 'NX',
        });
        return reply !== null;
      });
    },
    delete(name) {
      return run(async () => {
        await client.del(key(`value:${name}`));
      });
    },
    appendEvent(log, data, ttlSeconds) {
      const name = key(`log:${log}`);
      const now = Date.now();
      const refreshed = expiries.get(log);
      return run(async () => {
        // One XADD per event; the TTL is set with the first and again at most once a second, so
        // the log outlives its last event by the TTL, less under a second (MULTI, XADD, EXPIRE,
        // EXEC per event was four commands where one will do).
        if (refreshed !== undefined && now - refreshed < 1000) return String(await bounded(hot.xAdd(name, '*', { data })));
        expiries.delete(log);
        expiries.set(log, now);
        if (expiries.size > 10_000) expiries.delete(expiries.keys().next().value!);
        const [id] = (await client.multi().xAdd(name, '*', { data }).expire(name, ttlSeconds).exec()) as unknown as [string];
        return String(id);
      });
    },
    openLog(log, ttlSeconds): LogWriter {
      // A producer's log: event n has the id `0-n`, known at once. Its events go out as one
      // stream entry per batch (its id that of the batch's last event, `from` the first's
      // number, the events' JSON joined by newlines, which JSON text never holds), at most
      // every `logFlushMs`: a hundred streams of tokens are thousands of events a second, and one
      // XADD each kept Redis (and every command queued behind it) from keeping up. An entry
      // added by another instance (a Stop: `*`, an id above every `0-n`) ends the log: the
      // writer's later batches are refused by Redis, as they should be.
      const name = key(`log:${log}`);
      let sequence = 0;
      let pending: string[] = [];
      let timer: ReturnType<typeof setTimeout> | undefined;
      let lastExpiry = 0;
      let sent: Promise<void> = Promise.resolve();
      let failure: unknown;
      const flush = () => {
        clearTimeout(timer);
        timer = undefined;
        if (!pending.length) return sent;
        const batch = pending;
        pending = [];
        const fields: Record<string, string> = batch.length === 1 ? { data: batch[0]! } : { data: batch.join('\n'), from: String(sequence - batch.length + 1) };
        const now = Date.now();
        const commands: Promise<unknown>[] = [bounded(hot.xAdd(name, `0-${sequence}`, fields))];
        // The TTL with the first batch and again at most once a second: the log outlives its last
        // event by the TTL, less under a second.
        if (now - lastExpiry >= 1000) {
          lastExpiry = now;
          commands.push(bounded(hot.expire(name, ttlSeconds)));
        }
        const written = Promise.all(commands).then(
          () => {},
          (error: unknown) => {
            // Refused after a Stop's entry from elsewhere: the log has ended, nothing is wrong.
            if (/equal or smaller than the target stream top/i.test(String((error as Error)?.message))) return;
            if (failure === undefined) onError(error);
            failure ??= error;
          },
        );
        sent = sent.then(() => written);
        return sent;
      };
      return {
        append(data) {
          pending.push(data);
          timer ??= setTimeout(flush, logFlushMs);
          return `0-${++sequence}`;
        },
        async end() {
          await connecting;
          await flush();
          if (failure !== undefined) throw failure;
        },
      };
    },
    readEvents(log, afterId) {
      return run(async () => {
        const entries = await bounded(hot.xRange(key(`log:${log}`), afterId === null ? '-' : `(${afterId}`, '+'));
        const events: LoggedEvent[] = [];
        for (const { id, message } of entries ?? []) {
          const data = String(message.data);
          if (message.from === undefined) {
            events.push({ id, data });
            continue;
          }
          // A producer's batch: its events by number, those after the cursor only.
          const first = Number(message.from);
          data.split('\n').forEach((text, index) => {
            const eventId = `0-${first + index}`;
            if (afterId === null || after(eventId, afterId)) events.push({ id: eventId, data: text });
          });
        }
        return events;
      });
    },
    limiter(options) {
      const limiter = new RateLimiterRedis({
        ...options,
        keyPrefix: `${prefix}${options.keyPrefix}`,
        storeClient: client,
        useRedisPackage: true,
        // While Redis is away, each instance counts on its own rather than refusing everyone.
        insuranceLimiter: new RateLimiterMemory(options),
      });
      return {
        async consume(name) {
          await connecting;
          return limiter.consume(name);
        },
      };
    },
    async close() {
      await connecting;
      if (client.isOpen) await client.close();
    },
  };
}
