// The chat hooks. Product FAQs are in `@concierge/react/faq`.
export { MissingProviderError, useConcierge } from './context';
export type { ConciergeContextValue } from './context';
export { ConciergeProvider } from './provider';
export type { ConciergeProviderProps } from './provider';
export { useStream } from './use-stream';
export type { UseStreamResult } from './use-stream';
export { useThread } from './use-thread';
export type { UseThreadResult } from './use-thread';
