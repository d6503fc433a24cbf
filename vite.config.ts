import { defaultClientConditions, defaultServerConditions } from 'vite';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

/** Tests import each package's TypeScript source (the `source` export condition), not its build. */
const resolveSource = {
  resolve: { conditions: ['source', ...defaultClientConditions] },
  ssr: { resolve: { conditions: ['source', ...defaultServerConditions] } },
};

function project(name: string, environment: 'node' | 'jsdom', include: string[]): TestProjectInlineConfiguration {
  return {
    ...resolveSource,
    test: { name, environment, include, setupFiles: environment === 'jsdom' ? ['./test/setup-dom.ts'] : [] },
  };
}

export default defineConfig({
  test: {
    projects: [
      project('core', 'node', ['packages/core/src/**/*.test.ts']),
      project('proxy', 'node', ['packages/proxy/src/**/*.test.ts']),
      project('react', 'jsdom', ['packages/react/src/**/*.test.{ts,tsx}']),
      project('ui', 'jsdom', ['packages/ui/src/**/*.test.{ts,tsx}']),
      {
        ...resolveSource,
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['e2e/**/*.test.ts'],
          globalSetup: ['./e2e/global-setup.ts'],
          // The files share one storefront build and start their own servers on free ports.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
