import type { StorybookConfig } from '@storybook/react-vite';
import { defaultClientConditions } from 'vite';

const config: StorybookConfig = {
  stories: ['../packages/ui/src/**/*.mdx', '../packages/ui/src/**/*.stories.tsx'],
  // Docs pages: the introduction (MDX) and one page per component with its props table.
  addons: ['@storybook/addon-docs'],
  // Product pictures for the product-card stories.
  staticDirs: ['./public'],
  framework: { name: '@storybook/react-vite', options: {} },
  core: { disableTelemetry: true, disableWhatsNewNotifications: true },
  async viteFinal(viteConfig) {
    // Stories use the packages' TypeScript sources, like the tests.
    viteConfig.resolve ??= {};
    viteConfig.resolve.conditions = ['source', ...defaultClientConditions];
    // 'use client' matters to React Server Components only; a plain client bundle may drop it.
    viteConfig.build ??= {};
    viteConfig.build.rollupOptions ??= {};
    viteConfig.build.rollupOptions.onwarn = (warning, warn) => {
      if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
    };
    return viteConfig;
  },
};

export default config;
