import type { Snapshot } from './chat-state';
import { parseSnapshot, serializeSnapshot } from './persistence';

/** Keeps the tabs that show one conversation (one storage key) in step. */
export interface TabSync {
  /** Tells the other tabs the conversation changed. */
  publish(snapshot: Snapshot): void;
  /**
   * Runs `task` while no other tab runs one for this conversation (Web Locks), so a turn is
   * sent by one tab only. Without Web Locks, runs it at once.
   */
  exclusive<T>(task: () => Promise<T>): Promise<T>;
  close(): void;
}

/**
 * Tabs hear each other over a BroadcastChannel named after the storage key, or through the
 * `storage` event where there is none.
 */
export function createTabSync(key: string, onSnapshot: (snapshot: Snapshot) => void): TabSync {
  const name = `concierge:${key}`;
  const Channel = globalThis.BroadcastChannel;
  const channel = Channel ? new Channel(name) : null;
  const onMessage = (event: MessageEvent) => {
    const snapshot = parseSnapshot(typeof event.data === 'string' ? event.data : null);
    if (snapshot) onSnapshot(snapshot);
  };
  const onStorage = (event: StorageEvent) => {
    if (event.key !== key) return;
    onSnapshot(parseSnapshot(event.newValue) ?? { threadId: null, threadToken: null, messages: [], startNew: false });
  };
  if (channel) channel.onmessage = onMessage;
  else globalThis.addEventListener?.('storage', onStorage);
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  return {
    publish(snapshot) {
      channel?.postMessage(serializeSnapshot(snapshot));
    },
    exclusive<T>(task: () => Promise<T>): Promise<T> {
      if (!locks) return task();
      let ran = false;
      const locked = locks.request(name, () => ((ran = true), task())) as Promise<T>;
      // Locks refused (e.g. an opaque origin): run without them rather than not at all.
      return locked.catch((error: unknown) => (ran ? Promise.reject(error) : task()));
    },
    close() {
      channel?.close();
      globalThis.removeEventListener?.('storage', onStorage);
    },
  };
}
