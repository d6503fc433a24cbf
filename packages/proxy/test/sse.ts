/** One SSE event as a test reads it off the wire. */
export interface WireEvent {
  id: string;
  event: string;
  data: Record<string, unknown>;
}

/**
 * The events of an SSE response as they arrive; ends quietly when the connection drops (the test
 * then looks at what came). Breaking out of the loop cancels the response.
 */
export async function* sseEvents(response: Response): AsyncGenerator<WireEvent> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  try {
    for (;;) {
      const { done, value } = await reader.read().catch(() => ({ done: true as const, value: undefined }));
      if (done) return;
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const field = (name: string) => new RegExp(`^${name}: (.*)$`, 'm').exec(frame)?.[1] ?? '';
        yield { id: field('id'), event: field('event'), data: JSON.parse(field('data')) as Record<string, unknown> };
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}
