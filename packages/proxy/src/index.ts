export { createAlhenaProvider } from './alhena/alhena-provider';
export type { AlhenaProviderOptions } from './alhena/alhena-provider';
export { createGleenProvider } from './gleen/gleen-provider';
export type { GleenProviderOptions } from './gleen/gleen-provider';
export { createAlonChatProvider } from './alonchat/alonchat-provider';
export type { AlonChatProviderOptions } from './alonchat/alonchat-provider';
export {
  ConfigError,
  PROVIDERS,
  VARIABLES,
  environment,
  handlerOptionsFromConfig,
  providerFromConfig,
  resolveConfig,
} from './config';
export type { ProviderName, ProxyConfig, ProxyEnvironment } from './config';
export { createConciergeHandler } from './handler';
export type { ConciergeHandler, ConciergeHandlerOptions } from './handler';
export { createHaniaProvider } from './hania/hania-provider';
export type { HaniaProviderOptions } from './hania/hania-provider';
export { HttpError } from './http-error';
export type { KnowledgeBase, Passage, Product } from './local/knowledge-base';
export { loadKnowledgeBase } from './local/knowledge-base';
export { createLocalProvider } from './local/local-provider';
export type { LocalProviderOptions } from './local/local-provider';
export { createOpenAIProvider } from './openai/openai-provider';
export type { OpenAIProviderOptions } from './openai/openai-provider';
export type { ConversationState, OrderLookup, OrderRecord, Provider, ProviderEvent, ProviderRequest } from './provider';
export { createRateLimiter } from './rate-limit';
export type { RateLimitOptions } from './rate-limit';
export { parseSendMessage, sendMessageSchema } from './schema';
export { createMemoryStore } from './store';
export type { Limiter, LimiterOptions, LoggedEvent, LogWriter, MemoryStoreOptions, ProxyStore } from './store';
export { createRedisStore } from './redis-store';
export type { RedisStoreOptions } from './redis-store';
export { createThreadTokens } from './thread-tokens';
export type { ThreadTokens } from './thread-tokens';
export { clientAddress } from './client-address';
export type { UpstreamOptions } from './upstream';
export { productCardsFromCatalog } from './local/catalog-cards';
export type { ProductCardsFor } from './local/catalog-cards';
export { createWebhookSender } from './webhooks';
export type { BillingProblem, Feedback, Handoff, WebhookEvent, WebhookOptions, WebhookSender } from './webhooks';
