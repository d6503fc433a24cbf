'use client';
import type { Store } from '@concierge/core';
import { useRef, useSyncExternalStore } from 'react';

const NONE = Symbol();

/**
 * Subscribes to what `select` returns from the session's state; re-renders only when that
 * changes, compared shallowly (so a selector may return a new object of the same fields).
 */
export function useSessionState<S, T>(store: Store<S>, select: (state: S) => T): T {
  const last = useRef<T | typeof NONE>(NONE);
  const get = () => {
    const next = select(store.getState());
    return last.current !== NONE && shallowEqual(last.current, next) ? last.current : (last.current = next);
  };
  return useSyncExternalStore(store.subscribe, get, get);
}

function shallowEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || !a || !b) return false;
  const keys = Object.keys(a);
  return (
    keys.length === Object.keys(b).length &&
    keys.every((key) => Object.is((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]))
  );
}
