import { withConcierge } from '@concierge/proxy/next';
import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  output: 'standalone',
  // This example lives inside the Concierge repository; an app of its own needs neither line.
  outputFileTracingRoot: process.cwd(),
  turbopack: { root: process.cwd() },
};

export default withConcierge(nextConfig, { kbDir: 'content' });
