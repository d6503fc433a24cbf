import { withConcierge } from '@concierge/proxy/next';
import type { NextConfig } from 'next';

const config: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
};

// Checks the Concierge settings and the knowledge base when Next loads this file, and traces
// `content/` into the build output.
export default withConcierge(config, { kbDir: 'content' });
