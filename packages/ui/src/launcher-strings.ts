import type { ConciergeStrings } from './strings';

/** The strings shown before the window loads: the launcher's, the nudge's, the loading state. */
export type LauncherStrings = Pick<ConciergeStrings, 'locale' | 'dir' | 'openChat' | 'openChatUnread' | 'closeChat' | 'typing' | 'dismiss'>;

/** English; the window's strings (`defaultStrings`) load with the window. */
export const launcherStrings: LauncherStrings = {
  locale: 'en',
  dir: 'ltr',
  openChat: 'Open chat',
  openChatUnread: (count) => `Open chat, ${count} unread ${count === 1 ? 'message' : 'messages'}`,
  closeChat: 'Close chat',
  typing: 'The assistant is typing…',
  dismiss: 'Dismiss',
};
