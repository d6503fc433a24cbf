import type { ChatMessage, Snapshot } from './chat-state';

/** Where a session keeps its conversation. `localStorage` fits. */
export interface SessionStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** The version of the stored format; older entries are migrated when read. */
export const STORAGE_VERSION = 2;

/**
 * Reads a stored conversation. Version 1 (`{ threadId, messages }`, statuses `queued`, `failed`
 * and `interrupted`) is migrated; anything unreadable is ignored, never thrown.
 */
export function parseSnapshot(raw: string | null | undefined): Snapshot | null {
  let value: unknown;
  try {
    value = JSON.parse(raw ?? 'null');
  } catch {
    return null;
  }
  if (!isRecord(value)) return null;
  const stored = value.version === undefined ? migrateFromV1(value) : value.version === STORAGE_VERSION ? value : null;
  if (!stored || !Array.isArray(stored.messages)) return null;
  const threadId = typeof stored.threadId === 'string' ? stored.threadId : null;
  const threadToken = threadId && typeof stored.threadToken === 'string' ? stored.threadToken : null;
  const messages = stored.messages.filter(isMessage);
  return { threadId, threadToken, messages, startNew: stored.startNew === true };
}

/** The stored form of a conversation. */
export function serializeSnapshot(snapshot: Snapshot): string {
  return JSON.stringify({ version: STORAGE_VERSION, ...snapshot });
}

export function readSnapshot(storage: SessionStorage | null, key: string): Snapshot | null {
  try {
    return parseSnapshot(storage?.getItem(key));
  } catch {
    return null;
  }
}

export function writeSnapshot(storage: SessionStorage | null, key: string, snapshot: Snapshot): void {
  try {
    if (snapshot.threadId === null && !snapshot.messages.length && !snapshot.startNew) storage?.removeItem(key);
    else storage?.setItem(key, serializeSnapshot(snapshot));
  } catch {
    // Storage full or denied: the conversation still works for this page view.
  }
}

/** Version 1 kept the shopper's messages without their request fields: they become turns without any. */
function migrateFromV1(value: Record<string, unknown>): Record<string, unknown> | null {
  if (!Array.isArray(value.messages)) return null;
  const messages = value.messages.map((message: unknown) =>
    isRecord(message) && message.role === 'user' ? { ...message, status: message.status ?? 'done', fields: {} } : message,
  );
  return { threadId: value.threadId, messages, startNew: false };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isMessage(value: unknown): value is ChatMessage {
  return (
    isRecord(value) &&
    typeof value.id === 'string' &&
    (value.role === 'user' || value.role === 'assistant') &&
    typeof value.text === 'string' &&
    typeof value.createdAt === 'string'
  );
}
