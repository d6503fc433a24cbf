// The chat window and its parts, for a store that builds its own chat around the hooks. The
// widget (`@concierge/ui`) loads these lazily; importing them here puts them in your page.
export { ChatWindow } from './chat-window';
export type { ChatWindowProps } from './chat-window';
export { default as ChatPanel } from './chat-panel';
export type { ChatPanelProps } from './chat-panel';
export { Composer } from './composer';
export type { ComposerProps } from './composer';
export { ErrorNotice, describeError } from './error-notice';
export { Markdown } from './markdown';
export type { MarkdownProps } from './markdown';
export { Message, StreamingMessage } from './message';
export type { MessageProps } from './message';
export { MessageList } from './message-list';
export type { MessageListProps } from './message-list';
export { safeHref } from './safe-url';
export { Sources } from './sources';
export type { SourcesProps } from './sources';
export { AddToCartContext, ProductCards } from './product-cards';
export type { ProductCardsProps } from './product-cards';
export { Feedback } from './feedback';
export { HandoffButton, HandoffContext, HandoffForm } from './handoff';
export { FollowUps, Starters } from './suggestions';
export { EventsContext } from './events';
export { defaultStrings } from './strings';
export type { ConciergeStrings } from './strings';
export { default as Nudge } from './nudge';
export type { NudgeCommand, NudgeProps, NudgeRequest } from './nudge';
