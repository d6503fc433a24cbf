// `pnpm size` (in the test command): the packages as a storefront pays for them and as
// bench/anchors.mjs measures the other libraries: every dependency but React bundled in (React
// Query too), minified, gzip (kB = 1,000 bytes). The limits sit just above today's sizes, above
// the 6 kB and 30 kB we aim for (README, "Weight and smoothness"): any growth fails. The launcher's
// page-load cost is checked per bundler by bench/launcher-weight.mjs.
const ignore = ['react', 'react-dom'];
module.exports = [
  { name: 'hooks + core (@concierge/react)', path: 'bench/size/hooks.js', ignore, gzip: true, limit: '8.9 kB' },
  { name: 'whole widget: launcher, chat window, FAQ accordion, Markdown, CSS', path: 'bench/size/widget.js', ignore, gzip: true, limit: '34.8 kB' },
  { name: 'chat widget alone (no FAQ accordion, so no React Query)', path: 'bench/size/chat.js', ignore, gzip: true },
];
