// The streaming page: `?page=widget|hooks|usechat` picks what renders the stream (measure.js).
const pages = { widget: () => import('./widget.js'), hooks: () => import('./hooks.js'), usechat: () => import('./usechat.js') };
await pages[new URL(location.href).searchParams.get('page') ?? 'widget']();
