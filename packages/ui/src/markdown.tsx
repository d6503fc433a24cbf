'use client';
import { compiler, type MarkdownToJSX } from 'markdown-to-jsx';
import { memo, type AnchorHTMLAttributes, type ReactNode } from 'react';
import { safeHref } from './safe-url';

function SafeLink({ href, children }: AnchorHTMLAttributes<HTMLAnchorElement>) {
  const safe = safeHref(href);
  if (!safe) return <span>{children}</span>;
  return (
    <a href={safe} target="_blank" rel="noopener noreferrer">
      {children}
    </a>
  );
}

/** Images in replies are shown as their alt text: no tracking pixels, no layout jumps. */
function ImageAsText({ alt }: { alt?: string }): ReactNode {
  return alt ? <span>{alt}</span> : null;
}

const options: MarkdownToJSX.Options = {
  disableParsingRawHTML: true,
  forceBlock: true,
  overrides: { a: SafeLink, img: ImageAsText },
};

export interface MarkdownProps {
  text: string;
}

/** Renders Markdown from the assistant: no raw HTML, links only http(s)/mailto, opened safely. */
export const Markdown = memo(function Markdown({ text }: MarkdownProps) {
  return <div className="concierge-markdown">{compiler(text, options)}</div>;
});
