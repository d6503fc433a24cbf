// The page-load entry: the widget (its launcher; the chat window loads on first open), control
// from code and the strings. Nothing here imports the window, so every bundler keeps it lazy.
// The window's parts are in `@concierge/ui/chat`, the FAQ accordion in `@concierge/ui/faq`.
export { ConciergeWidget } from './concierge-widget';
export type { ConciergeWidgetProps } from './concierge-widget';
export { Launcher } from './launcher';
export type { LauncherProps } from './launcher';
export type { ConciergeStrings } from './strings';
export { askConcierge } from './ask';
export type { AskDetail } from './ask';
export { concierge, COMMAND_EVENT, useConciergeWidget } from './control';
export type { ConciergeCommand, NudgeOptions } from './control';
export type { ConciergeEvent } from './events';
