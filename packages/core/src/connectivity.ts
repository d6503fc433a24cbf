/** The device's connection, as `navigator.onLine` and the `online`/`offline` events report it. */
export interface Connectivity {
  isOnline(): boolean;
  /** Calls `listener` whenever the device goes online or offline; returns an unsubscribe function. */
  subscribe(listener: (online: boolean) => void): () => void;
}

/** The browser's connectivity; always online where there is no `navigator` (servers). */
export const browserConnectivity: Connectivity = {
  isOnline: () => typeof navigator === 'undefined' || navigator.onLine !== false,
  subscribe(listener) {
    const online = () => listener(true);
    const offline = () => listener(false);
    globalThis.addEventListener?.('online', online);
    globalThis.addEventListener?.('offline', offline);
    return () => {
      globalThis.removeEventListener?.('online', online);
      globalThis.removeEventListener?.('offline', offline);
    };
  },
};
