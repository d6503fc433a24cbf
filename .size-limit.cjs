// `pnpm size` (in the test command): the packages as a storefront pays for them and as
// bench/anchors.mjs measures the other libraries: every dependency but React bundled in (React
// Query too), minified, gzip (kB = 1,000 bytes). The whole widget's limit is its 30 kB budget;
// hooks + core's sits just above today's size, above the 6 kB it should be (README, "Weight and
// smoothness"): any growth fails. The launcher's page-load cost is checked per bundler by
// bench/launcher-weight.mjs.
const ignore = ['react', 'react-dom'];
module.exports = [
  { name: 'hooks + core (@concierge/react)', path: 'bench/size/hooks.js', ignore, gzip: true, limit: '8.75 kB' },
  { name: 'whole widget: launcher, chat window, FAQ accordion, Markdown, CSS', path: 'bench/size/widget.js', ignore, gzip: true, limit: '30 kB' },
  { name: 'chat widget alone (no FAQ accordion, so no React Query)', path: 'bench/size/chat.js', ignore, gzip: true },
];
