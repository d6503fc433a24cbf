/** Secret keys planted in the storefront's build and server; none may ever reach a browser. */
export const CANARY = {
  ALHENA_API_KEY: 'canary-alhena-4f1c9e',
  GLEEN_API_KEY: 'canary-gleen-7b2d10',
  ALONCHAT_API_KEY: 'canary-alonchat-a93e55',
  HANIA_API_KEY: 'canary-hania-c07f3b',
  OPENAI_API_KEY: 'canary-openai-d81a62',
} as const;
