'use client';
import * as smd from 'streaming-markdown';
import { createElement, memo, type ReactNode } from 'react';
import { safeHref } from './safe-url';

/** An element of a parsed block: its tag, attributes and children, before it becomes React. */
interface Node {
  type: smd.Token;
  attrs: Partial<Record<smd.Attr, string>>;
  children: (Node | string)[];
}

/**
 * The tag of each streaming-markdown token without a case of its own in `toReact`, by the token's
 * number (1 document, 2 paragraph, 3–8 headings, 11 inline code, 12–15 emphasis, 16 strike,
 * 20 quote, 21 line break, 22 rule, 23–25 lists, 27 table, 28 row, 30–31 equations); none for the rest.
 */
const TAGS = ',,p,h1,h2,h3,h4,h5,h6,,,code,em,em,strong,strong,s,,,,blockquote,br,hr,ul,ol,li,,table,tr,,code,code'.split(',');

/**
 * Parses one block into a tree with streaming-markdown. It builds no HTML and reads no HTML tags:
 * what looks like a tag in the model's text stays text.
 */
function parse(text: string): Node {
  const root: Node = { type: smd.DOCUMENT, attrs: {}, children: [] };
  const stack = [root];
  const top = () => stack[stack.length - 1]!;
  const parser = smd.parser({
    data: null,
    add_token(_, type) {
      if (type === smd.DOCUMENT) return;
      const node: Node = { type, attrs: {}, children: [] };
      top().children.push(node);
      stack.push(node);
    },
    end_token() {
      if (stack.length > 1) stack.pop();
    },
    add_text(_, value) {
      top().children.push(value);
    },
    set_attr(_, type, value) {
      top().attrs[type] = value;
    },
  });
  smd.parser_write(parser, keepWordUnderscores(text));
  smd.parser_end(parser);
  return root;
}

/**
 * Code (a fence or a code span, to its end or, still open, the block's), left as it is, or an
 * underscore inside a word (`snake_case`, `SKU_12_A`), which Markdown never reads as emphasis.
 */
const CODE_OR_WORD_UNDERSCORE = /^ {0,3}(`{3,}|~{3,})[^]*?(?:\n {0,3}\1|$(?![^]))|(`+)[^]*?(?:\2|$(?![^]))|(?<=[\p{L}\p{N}])_(?=[\p{L}\p{N}])/gmu;

/** Escapes the underscores inside words, which streaming-markdown would read as emphasis. */
function keepWordUnderscores(text: string): string {
  return text.replace(CODE_OR_WORD_UNDERSCORE, (match) => (match === '_' ? '\\_' : match));
}

/** Turns a parsed node into React elements: links only http(s), mailto and site paths, opened safely; images as their alt text. */
function toReact(node: Node | string, key: number, inHead = false): ReactNode {
  if (typeof node === 'string') return node;
  const { type, attrs } = node;
  let tag = TAGS[type];
  let props: Record<string, unknown> = { key };
  let children: ReactNode = node.children.length ? node.children.map((child, index) => toReact(child, index, inHead)) : undefined;
  switch (type) {
    case smd.DOCUMENT:
      return children;
    case smd.LINK:
    case smd.RAW_URL: {
      const href = safeHref(attrs[smd.HREF]);
      tag = href ? 'a' : 'span';
      if (href) props = { key, href, target: '_blank', rel: 'noopener noreferrer' };
      break;
    }
    // Images in replies are shown as their alt text: no tracking pixels, no layout jumps.
    case smd.IMAGE:
      tag = 'span';
      if (!children) return null;
      break;
    case smd.CODE_BLOCK:
    case smd.CODE_FENCE:
      tag = 'pre';
      children = createElement('code', null, children);
      break;
    case smd.TABLE: {
      // The first row is the head.
      const [head, ...body] = node.children;
      children = [
        head && createElement('thead', { key: 0 }, toReact(head, 0, true)),
        body.length > 0 && createElement('tbody', { key: 1 }, body.map((row, index) => toReact(row, index))),
      ];
      break;
    }
    case smd.TABLE_CELL:
      tag = inHead ? 'th' : 'td';
      break;
    case smd.LIST_ORDERED:
      props.start = attrs[smd.START];
      break;
    case smd.CHECKBOX:
      tag = 'input';
      props = { key, type: 'checkbox', disabled: true, readOnly: true, checked: smd.CHECKED in attrs };
  }
  return tag ? createElement(tag, props, children) : null;
}

/** One top-level block, parsed once: while a reply streams only its last block changes. */
const Block = memo(function Block({ text }: { text: string }) {
  return <>{toReact(parse(text), 0)}</>;
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
