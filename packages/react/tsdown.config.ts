import { defineConfig } from 'tsdown';

export default defineConfig({
  entry: ['src/index.ts', 'src/faq.ts'],
  format: 'esm',
  dts: true,
  platform: 'neutral',
  // One file per module: hooks keep their 'use client'; the query options stay callable on a server.
  unbundle: true,
});
