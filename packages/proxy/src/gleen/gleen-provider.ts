import { sendMessageProvider, type AlhenaProviderOptions } from '../alhena/alhena-provider';
import type { Provider } from '../provider';

export type GleenProviderOptions = AlhenaProviderOptions;

/** Gleen (Alhena's former name): the same `send_message` API at `https://api.gleen.ai`. */
export function createGleenProvider(options: GleenProviderOptions): Provider {
  return sendMessageProvider('gleen', { vendor: 'Gleen', keyVariable: 'GLEEN_API_KEY', ...options }, options.baseUrl ?? 'https://api.gleen.ai');
}
