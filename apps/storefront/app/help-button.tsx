'use client';
import { useConciergeWidget } from '@concierge/ui';

/** The header's "Help" opens the chat from the store's own button. */
export function HelpButton() {
  const { open } = useConciergeWidget();
  return (
    <button type="button" className="help-button" onClick={open}>
      Help
    </button>
  );
}
