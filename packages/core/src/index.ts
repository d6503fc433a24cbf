export { ConciergeError } from './errors';
export type { ConciergeErrorOptions } from './errors';
export { LIMITS, STREAM_EVENT_TYPES, encodeStreamEvent } from './protocol';
export type {
  ErrorBody,
  ErrorCode,
  ProductFaq,
  ProductFaqsRequest,
  ProductFaqsResponse,
  Role,
  SendMessageRequest,
  SendMessageResponse,
  Source,
  StreamEvent,
  ThreadHistory,
  ThreadMessage,
} from './protocol';
export { withRetry } from './retry';
export type { RetryOptions } from './retry';
export { createChatSession } from './session';
export type {
  ChatMessage,
  ChatSession,
  ChatSessionOptions,
  ChatState,
  ChatStatus,
  Connectivity,
  MessageContext,
  SessionStorage,
  StreamingReply,
} from './session';
export { createHttpTransport } from './transport';
export type { HttpTransportOptions, RequestOptions, Transport } from './transport';
export { createMockTransport } from './mock-transport';
export type { MockTransportOptions } from './mock-transport';
