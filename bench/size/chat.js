// The chat widget alone: the launcher and the window, no FAQ accordion (so no React Query).
import '@concierge/ui/styles.css';
export * from '@concierge/ui';
export * from '@concierge/ui/chat';
