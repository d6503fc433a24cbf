// Hooks + core, as bench/anchors.mjs measures them.
export * from '@concierge/react';
