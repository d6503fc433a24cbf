import { describe, expect, it } from 'vitest';
import { parseSnapshot, serializeSnapshot } from './persistence';

describe('stored conversations', () => {
  it('round-trips the current version', () => {
    const snapshot = {
      threadId: 't',
      threadToken: 'token',
      startNew: false,
      messages: [{ id: 'q', role: 'user' as const, text: 'Hi', createdAt: '2026-01-01T00:00:00Z', status: 'queued' as const, fields: { faqId: 3 } }],
    };
    expect(JSON.parse(serializeSnapshot(snapshot)).version).toBe(2);
    expect(parseSnapshot(serializeSnapshot(snapshot))).toEqual(snapshot);
  });

  it('migrates the first format: queued and failed messages become turns, answered ones done', () => {
    const v1 = JSON.stringify({
      threadId: 't1',
      messages: [
        { id: 'a', role: 'user', text: 'Answered', createdAt: '2026-01-01T00:00:00Z' },
        { id: 'b', role: 'assistant', text: 'Reply', createdAt: '2026-01-01T00:00:01Z', status: 'interrupted' },
        { id: 'c', role: 'user', text: 'Failed', createdAt: '2026-01-01T00:00:02Z', status: 'failed' },
        { id: 'd', role: 'user', text: 'Queued', createdAt: '2026-01-01T00:00:03Z', status: 'queued' },
      ],
    });
    expect(parseSnapshot(v1)).toEqual({
      threadId: 't1',
      threadToken: null,
      startNew: false,
      messages: [
        { id: 'a', role: 'user', text: 'Answered', createdAt: '2026-01-01T00:00:00Z', status: 'done', fields: {} },
        { id: 'b', role: 'assistant', text: 'Reply', createdAt: '2026-01-01T00:00:01Z', status: 'interrupted' },
        { id: 'c', role: 'user', text: 'Failed', createdAt: '2026-01-01T00:00:02Z', status: 'failed', fields: {} },
        { id: 'd', role: 'user', text: 'Queued', createdAt: '2026-01-01T00:00:03Z', status: 'queued', fields: {} },
      ],
    });
  });

  it.each([
    ['not JSON', '{not json'],
    ['null', 'null'],
    ['an array', '[]'],
    ['messages that are not a list', '{"threadId":"t","messages":"x"}'],
    ['an unknown future version', '{"version":99,"threadId":"t","messages":[]}'],
  ])('ignores %s', (_, raw) => {
    expect(parseSnapshot(raw)).toBeNull();
  });

  it('drops malformed messages and keeps the rest', () => {
    const raw = JSON.stringify({
      version: 2,
      threadId: 7,
      messages: [null, { id: 1 }, { id: 'ok', role: 'user', text: 'Hi', createdAt: '' }, { id: 'x', role: 'bot', text: '', createdAt: '' }],
    });
    expect(parseSnapshot(raw)).toEqual({ threadId: null, threadToken: null, startNew: false, messages: [{ id: 'ok', role: 'user', text: 'Hi', createdAt: '' }] });
  });
});
