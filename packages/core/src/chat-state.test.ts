import { describe, expect, it } from 'vitest';
import { type ChatMessage, type ChatState, INITIAL_STATE, nextJob, reduce } from './chat-state';
import { ConciergeError } from './errors';

const AT = '2026-01-01T00:00:00.000Z';

function turn(id: string, extra: Partial<ChatMessage> = {}): ChatMessage {
  return { id, role: 'user', text: `question ${id}`, createdAt: AT, status: 'queued', fields: {}, attempts: 0, ...extra };
}

function apply(state: ChatState, ...events: Parameters<typeof reduce>[1][]): ChatState {
  return events.reduce(reduce, state);
}

const statuses = (state: ChatState) => state.messages.map((message) => `${message.role}:${message.id}:${message.status ?? '-'}`);

describe('reduce', () => {
  it('takes a turn from queued through sending and streaming to done, its reply right after it', () => {
    let state = apply(INITIAL_STATE, { type: 'send', turn: turn('q1') });
    expect(nextJob(state, 0)).toEqual({ type: 'send', turn: state.messages[0] });
    state = apply(state, { type: 'attempt', turnId: 'q1', attempt: 1 }, { type: 'send', turn: turn('q2') });
    expect(state).toMatchObject({ status: 'submitted', active: { turnId: 'q1', attempt: 1 } });
    expect(nextJob(state, 0)).toBeNull();
    state = apply(
      state,
      { type: 'start', attempt: 1, threadId: 't', messageId: 'a1' },
      { type: 'progress', attempt: 1, text: 'Hel', sources: [] },
    );
    expect(state.streaming).toEqual({ id: 'a1', text: 'Hel', sources: [], turnId: 'q1' });
    expect(statuses(state)).toEqual(['user:q1:streaming', 'user:q2:queued']);
    state = reduce(state, { type: 'done', attempt: 1, threadId: 't', messageId: 'a1', text: 'Hello', sources: [], at: AT });
    expect(statuses(state)).toEqual(['user:q1:done', 'assistant:a1:-', 'user:q2:queued']);
    expect(state).toMatchObject({ status: 'idle', streaming: null, active: null, threadId: 't' });
    expect(nextJob(state, 0)).toEqual({ type: 'send', turn: state.messages[2] });
  });

  it('ignores every event of an attempt that is no longer active', () => {
    const stopped = apply(
      INITIAL_STATE,
      { type: 'send', turn: turn('q1') },
      { type: 'attempt', turnId: 'q1', attempt: 1 },
      { type: 'start', attempt: 1, threadId: 't', messageId: 'a1' },
      { type: 'progress', attempt: 1, text: 'Part', sources: [] },
      { type: 'stop', at: AT },
      { type: 'send', turn: turn('q2') },
      { type: 'attempt', turnId: 'q2', attempt: 2 },
    );
    const stale: Parameters<typeof reduce>[1][] = [
      { type: 'progress', attempt: 1, text: 'Part and more', sources: [] },
      { type: 'done', attempt: 1, threadId: 't', messageId: 'a1', text: 'Whole', sources: [], at: AT },
      { type: 'fail', attempt: 1, error: new ConciergeError({ code: 'aborted', message: 'x' }), offline: false, now: 0, at: AT },
      { type: 'start', attempt: 1, threadId: 'other', messageId: 'x' },
    ];
    for (const event of stale) expect(reduce(stopped, event)).toBe(stopped);
    expect(statuses(stopped)).toEqual(['user:q1:interrupted', 'assistant:a1:interrupted', 'user:q2:sending']);
  });

  it('a failure with a scheduled retry requeues the turn not before that time', () => {
    const error = new ConciergeError({ code: 'upstream_unavailable', message: 'x', status: 503 });
    const state = apply(
      INITIAL_STATE,
      { type: 'send', turn: turn('q1') },
      { type: 'attempt', turnId: 'q1', attempt: 1 },
      { type: 'fail', attempt: 1, error, offline: false, retryAt: 5000, now: 1000, at: AT },
    );
    expect(state).toMatchObject({ status: 'error', error, retryAt: 5000, retrying: true, active: null });
    expect(state.messages[0]).toMatchObject({ status: 'queued', notBefore: 5000, attempts: 1 });
    expect(nextJob(state, 4999)).toEqual({ type: 'wait', until: 5000 });
    expect(nextJob(state, 5000)).toMatchObject({ type: 'send' });
    expect(nextJob(reduce(state, { type: 'retry' }), 1000)).toMatchObject({ type: 'send' });
  });

  it('offline: nothing is sent, and a network failure waits for the connection without an error', () => {
    const offline = apply(INITIAL_STATE, { type: 'connectivity', online: false }, { type: 'send', turn: turn('q1') });
    expect(nextJob(offline, 0)).toBeNull();
    const dropped = apply(
      INITIAL_STATE,
      { type: 'send', turn: turn('q1') },
      { type: 'attempt', turnId: 'q1', attempt: 1 },
      { type: 'fail', attempt: 1, error: new ConciergeError({ code: 'network', message: 'x' }), offline: true, now: 0, at: AT },
    );
    expect(dropped).toMatchObject({ status: 'idle', error: null, retrying: false });
    expect(statuses(dropped)).toEqual(['user:q1:queued']);
  });

  it('retry moves the last failed turn and its partial reply to the end, keeping its fields', () => {
    const failed = apply(
      INITIAL_STATE,
      { type: 'send', turn: turn('q1', { fields: { faqId: 9 } }) },
      { type: 'attempt', turnId: 'q1', attempt: 1 },
      { type: 'start', attempt: 1, threadId: 't', messageId: 'a1' },
      { type: 'progress', attempt: 1, text: 'Half', sources: [] },
      { type: 'fail', attempt: 1, error: new ConciergeError({ code: 'network', message: 'cut' }), offline: false, now: 0, at: AT },
      { type: 'send', turn: turn('q2', { status: 'done' }) },
    );
    expect(statuses(failed)).toEqual(['user:q1:failed', 'assistant:a1:interrupted', 'user:q2:done']);
    const retried = reduce(failed, { type: 'retry' });
    expect(statuses(retried)).toEqual(['user:q2:done', 'user:q1:queued']);
    expect(retried.messages[1]).toMatchObject({ fields: { faqId: 9 }, attempts: 0 });
    expect(retried).toMatchObject({ status: 'idle', error: null });
  });

  it('a history refresh keeps the turns not yet answered and their partial replies', () => {
    const state: ChatState = {
      ...INITIAL_STATE,
      threadId: 't',
      historyStale: true,
      messages: [
        turn('old', { status: 'done' }),
        turn('f', { status: 'failed' }),
        { id: 'fa', role: 'assistant', text: 'Half', createdAt: AT, status: 'interrupted', turnId: 'f' },
        turn('q'),
      ],
    };
    expect(nextJob(state, 0)).toEqual({ type: 'history', threadId: 't' });
    const history = {
      threadId: 't',
      messages: [
        { id: 's1', role: 'user' as const, text: 'Q', createdAt: AT },
        { id: 's2', role: 'assistant' as const, text: 'A', createdAt: AT, interrupted: true },
      ],
    };
    const next = reduce(state, { type: 'history', history });
    expect(statuses(next)).toEqual(['user:s1:-', 'assistant:s2:interrupted', 'user:f:failed', 'assistant:fa:interrupted', 'user:q:queued']);
    expect(next.historyStale).toBe(false);
    expect(reduce(state, { type: 'history', history: { ...history, threadId: 'other' } })).toBe(state);
  });

  it('a snapshot from another tab replaces the transcript but not this tab’s turn in flight', () => {
    const sending = apply(INITIAL_STATE, { type: 'send', turn: turn('mine') }, { type: 'attempt', turnId: 'mine', attempt: 1 });
    const synced = reduce(sending, {
      type: 'sync',
      snapshot: { threadId: 't', threadToken: 'token-t', startNew: false, messages: [turn('mine', { status: 'queued' }), turn('theirs', { status: 'done' })] },
    });
    expect(statuses(synced)).toEqual(['user:mine:sending', 'user:theirs:done']);
    expect(synced).toMatchObject({ threadId: 't', threadToken: 'token-t' });
  });

  it('reset forgets everything but the connection, and asks for a new conversation if there was one', () => {
    const state: ChatState = { ...INITIAL_STATE, online: false, threadId: 't', messages: [turn('q')] };
    expect(reduce(state, { type: 'reset' })).toEqual({ ...INITIAL_STATE, online: false, startNew: true });
    expect(reduce(INITIAL_STATE, { type: 'reset' }).startNew).toBe(false);
  });
});
