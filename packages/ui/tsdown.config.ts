import { defineConfig } from 'tsdown';

export default defineConfig({
  entry: ['src/index.ts', 'src/chat.ts', 'src/faq.ts', 'src/locales/ar.ts', 'src/locales/fr.ts'],
  format: 'esm',
  dts: true,
  platform: 'neutral',
  // One output file per module, so an app's bundler keeps the chat window in its own lazy chunk;
  // each module keeps its own 'use client' directive.
  unbundle: true,
});
