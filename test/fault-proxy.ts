import { createServer, connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** What happens to one connection's bytes from the server back to the client. */
export interface Fault {
  /** Delay before each chunk is passed on, in milliseconds. */
  latencyMs?: number;
  /** Bytes per second passed on at most. */
  bytesPerSecond?: number;
  /** Pass this many bytes, then end both sides (FIN). */
  cutAfterBytes?: number;
  /** Pass this many bytes, then reset both sides (RST). */
  resetAfterBytes?: number;
  /** Pass this many bytes, then pass nothing more while keeping the connection open. */
  stallAfterBytes?: number;
}

export interface FaultProxy {
  url: string;
  port: number;
  /**
   * Faults for the next connections whose request starts with `match` (e.g. `POST /api/concierge/messages`),
   * one per connection, in order; others pass untouched. Counting starts at that request.
   */
  arm(match: string, ...faults: Fault[]): void;
  /** Faults for every connection from now on (e.g. latency on all of them). */
  always(fault: Fault | null): void;
  /** Connections opened so far, and how many are closed. */
  stats(): { opened: number; closed: number; open: number; triggered: number; armedBytes: number };
  close(): Promise<void>;
}

/**
 * A TCP proxy on loopback that injects network faults: latency, a bandwidth limit, a cut or a
 * reset after N bytes, a stall. Bytes from client to server always pass; faults apply to what
 * the server sends back, which is where a streamed reply travels.
 */
export async function startFaultProxy(target: { host?: string; port: number }): Promise<FaultProxy> {
  const armed: { match: string; fault: Fault }[] = [];
  let always: Fault | null = null;
  let opened = 0;
  let closed = 0;
  let triggered = 0;
  /** Bytes passed back on the connection of the last armed fault, from its request on. */
  let armedBytes = 0;
  const sockets = new Set<Socket>();

  const server = createServer((client) => {
    opened++;
    const upstream = connect(target.port, target.host ?? '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    let fault: Fault | null = always;
    let passed = 0;
    let stalled = false;
    let queue = Promise.resolve();
    let ended = false;
    const finish = (how: 'end' | 'reset') => {
      if (ended) return;
      ended = true;
      if (how === 'reset') {
        client.resetAndDestroy();
        upstream.resetAndDestroy();
      } else {
        client.destroySoon();
        upstream.destroy();
      }
    };
    let counted = false;
    const onClose = () => {
      if (counted || !client.destroyed || !upstream.destroyed) return;
      counted = true;
      closed++;
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', () => (upstream.destroy(), onClose()));
    upstream.on('close', () => (client.destroySoon(), onClose()));
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());

    client.on('data', (chunk: Buffer) => {
      // A request matching an armed fault takes it, and bytes back are counted from here.
      const text = chunk.toString('latin1');
      const index = armed.findIndex(({ match }) => text.startsWith(match));
      if (index >= 0) {
        fault = armed.splice(index, 1)[0]!.fault;
        passed = 0;
        armedBytes = 0;
      }
      upstream.write(chunk);
    });
    client.on('end', () => upstream.end());

    upstream.on('data', (chunk: Buffer) => {
      const current = fault;
      queue = queue.then(async () => {
        if (ended || stalled) return;
        let bytes = chunk;
        const limit = current ? (current.cutAfterBytes ?? current.resetAfterBytes ?? current.stallAfterBytes) : undefined;
        let last = false;
        if (limit !== undefined && passed + bytes.length >= limit) {
          bytes = bytes.subarray(0, Math.max(0, limit - passed));
          last = true;
        }
        if (current?.latencyMs) await sleep(current.latencyMs);
        if (current?.bytesPerSecond) {
          // Slices of at most 1/20 s worth of bytes, each after its share of time.
          const slice = Math.max(1, Math.floor(current.bytesPerSecond / 20));
          for (let offset = 0; offset < bytes.length; offset += slice) {
            const part = bytes.subarray(offset, offset + slice);
            await sleep((part.length / current.bytesPerSecond) * 1000);
            if (ended) return;
            client.write(part);
          }
        } else if (bytes.length) client.write(bytes);
        passed += bytes.length;
        if (current && current !== always) armedBytes = passed;
        if (!last) return;
        triggered++;
        if (current!.cutAfterBytes !== undefined) finish('end');
        else if (current!.resetAfterBytes !== undefined) finish('reset');
        else stalled = true;
      });
    });
    upstream.on('end', () => void queue.then(() => client.end()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    arm(match, ...faults) {
      armed.push(...faults.map((fault) => ({ match, fault })));
    },
    always(fault) {
      always = fault;
    },
    stats: () => ({ opened, closed, open: opened - closed, triggered, armedBytes }),
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}
