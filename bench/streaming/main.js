// The benchmark page: `?page=widget|hooks|usechat` picks what renders the stream (measure.js); `live`
// is the chat window on a real proxy (first-token.mjs).
const pages = { widget: () => import('./widget.js'), hooks: () => import('./hooks.js'), usechat: () => import('./usechat.js'), live: () => import('./live.js') };
await pages[new URL(location.href).searchParams.get('page') ?? 'widget']();
