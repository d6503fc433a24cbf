/** A minimal observable state container: the session writes it, hooks subscribe to it. */
export interface Store<T> {
  getState(): T;
  setState(next: T): void;
  /** Calls `listener` after every change; returns an unsubscribe function. */
  subscribe(listener: (state: T, previous: T) => void): () => void;
}

export function createStore<T>(initial: T): Store<T> {
  let state = initial;
  const listeners = new Set<(state: T, previous: T) => void>();
  return {
    getState: () => state,
    setState(next) {
      const previous = state;
      state = next;
      for (const listener of listeners) listener(next, previous);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}
