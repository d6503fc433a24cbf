import type { NextConfig } from 'next';

const config: NextConfig = {
  reactStrictMode: true,
  // The proxy reads the knowledge base from disk; it runs as plain Node code, not bundled.
  serverExternalPackages: ['@concierge/proxy'],
  poweredByHeader: false,
};

export default config;
