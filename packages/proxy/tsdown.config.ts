import { defineConfig } from 'tsdown';

export default defineConfig({
  entry: ['src/index.ts', 'src/next.ts', 'src/node.ts', 'src/cli.ts'],
  format: 'esm',
  dts: true,
  platform: 'node',
});
