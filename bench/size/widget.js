// The whole widget, as bench/anchors.mjs measures it: every entry point and the stylesheet.
import '@concierge/ui/styles.css';
export * from '@concierge/ui';
export * from '@concierge/ui/chat';
export * from '@concierge/ui/faq';
