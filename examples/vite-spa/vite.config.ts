import { defineConfig } from 'vite';

// The page is static; the chat goes to the standalone proxy (`npm run proxy`, port 8787).
// CONCIERGE_PROXY_URL points elsewhere, e.g. in tests.
const target = process.env.CONCIERGE_PROXY_URL ?? 'http://127.0.0.1:8787';

export default defineConfig({
  server: { proxy: { '/api/concierge': target } },
  preview: { proxy: { '/api/concierge': target } },
  build: {
    rollupOptions: {
      // The widget's modules start with 'use client' for React Server Components; a plain
      // client bundle has no use for it, and the bundler says so once per module.
      onwarn: (warning, warn) => warning.code !== 'MODULE_LEVEL_DIRECTIVE' && warn(warning),
    },
  },
});
