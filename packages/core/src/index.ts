export { ConciergeError } from './errors';
export type { ConciergeErrorOptions } from './errors';
export { LIMITS, STREAM_EVENT_TYPES, THREAD_TOKEN_HEADER, encodeStreamEvent } from './protocol';
export type {
  ErrorBody,
  ErrorCode,
  FeedbackRequest,
  FeedbackResponse,
  HandoffRequest,
  HandoffResponse,
  ProductFaq,
  ProductFaqsRequest,
  ProductFaqsResponse,
  Role,
  SendMessageRequest,
  SendMessageResponse,
  ProductCard,
  Source,
  StreamEvent,
  ThreadHistory,
  ThreadMessage,
} from './protocol';
export { INITIAL_STATE, nextJob, reduce } from './chat-state';
export type {
  ChatEvent,
  ChatMessage,
  ChatState,
  ChatStatus,
  Job,
  MessageContext,
  Snapshot,
  StreamingReply,
  TurnStatus,
} from './chat-state';
export { browserConnectivity } from './connectivity';
export type { Connectivity } from './connectivity';
export { parseSnapshot, STORAGE_VERSION } from './persistence';
export type { SessionStorage } from './persistence';
export { retryDelay } from './retry-policy';
export type { RetryOptions } from './retry-policy';
export { createChatSession } from './session';
export { createStore } from './store';
export type { Store } from './store';
export type { ChatSession, ChatSessionOptions } from './session';
export { createHttpTransport } from './transport';
export type { HttpTransportOptions, RequestOptions, Transport } from './transport';
export { createMockTransport } from './mock-transport';
export type { MockTransportOptions } from './mock-transport';
