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
  wrapper: null,
  overrides: { a: SafeLink, img: ImageAsText },
};

/** One top-level block, parsed once: while a reply streams only its last block changes. */
const Block = memo(function Block({ text }: { text: string }) {
  return <>{compiler(text, options)}</>;
});

/**
 * Splits Markdown at blank lines outside fenced code, so finished blocks keep their parse.
 * Joining the blocks with blank lines gives back the same document.
 */
export function splitBlocks(text: string): string[] {
  const blocks: string[] = [];
  let fence: string | null = null;
  let current: string[] = [];
  for (const line of text.split('\n')) {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker && (fence === null || marker.startsWith(fence))) fence = fence === null ? marker : null;
    if (fence === null && line.trim() === '' && current.length) {
      blocks.push(current.join('\n'));
      current = [];
    } else if (fence !== null || line.trim() !== '') {
      current.push(line);
    }
  }
  if (current.length) blocks.push(current.join('\n'));
  return blocks;
}

export interface MarkdownProps {
  text: string;
}

/** Renders Markdown from the assistant: no raw HTML, links only http(s)/mailto, opened safely. */
export const Markdown = memo(function Markdown({ text }: MarkdownProps) {
  return (
    <div className="concierge-markdown">
      {splitBlocks(text).map((block, index) => (
        <Block key={index} text={block} />
      ))}
    </div>
  );
});
