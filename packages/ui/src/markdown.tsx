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

/** The tag of each token without a case of its own in `toReact`. */
const TAGS: Partial<Record<smd.Token, string>> = {
  [smd.PARAGRAPH]: 'p',
  [smd.HEADING_1]: 'h1',
  [smd.HEADING_2]: 'h2',
  [smd.HEADING_3]: 'h3',
  [smd.HEADING_4]: 'h4',
  [smd.HEADING_5]: 'h5',
  [smd.HEADING_6]: 'h6',
  [smd.CODE_INLINE]: 'code',
  [smd.ITALIC_AST]: 'em',
  [smd.ITALIC_UND]: 'em',
  [smd.STRONG_AST]: 'strong',
  [smd.STRONG_UND]: 'strong',
  [smd.STRIKE]: 's',
  [smd.BLOCKQUOTE]: 'blockquote',
  [smd.LINE_BREAK]: 'br',
  [smd.RULE]: 'hr',
  [smd.LIST_UNORDERED]: 'ul',
  [smd.LIST_ORDERED]: 'ol',
  [smd.LIST_ITEM]: 'li',
  [smd.TABLE]: 'table',
  [smd.TABLE_ROW]: 'tr',
  [smd.EQUATION_BLOCK]: 'code',
  [smd.EQUATION_INLINE]: 'code',
};

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
      const { children } = top();
      const last = children.length - 1;
      if (typeof children[last] === 'string') children[last] += value;
      else children.push(value);
    },
    set_attr(_, type, value) {
      top().attrs[type] = value;
    },
  });
  smd.parser_write(parser, keepWordUnderscores(text));
  smd.parser_end(parser);
  return root;
}

/** Code, left as it is: a fence or a code span, to its end or, still open, the block's. */
const CODE = /^ {0,3}(`{3,}|~{3,})[^]*?(?:\n {0,3}\1|$(?![^]))|(`+)[^]*?(?:\2|$(?![^]))/gm;

/**
 * Escapes underscores inside words (`snake_case`, `SKU_12_A`), which Markdown never reads as
 * emphasis but streaming-markdown would.
 */
function keepWordUnderscores(text: string): string {
  let result = '';
  let last = 0;
  const escape = (part: string) => part.replace(/(?<=[\p{L}\p{N}])_(?=[\p{L}\p{N}])/gu, '\\_');
  for (const match of text.matchAll(CODE)) {
    result += escape(text.slice(last, match.index)) + match[0];
    last = match.index + match[0].length;
  }
  return result + escape(text.slice(last));
}

/** The words of a node, for an image shown as its alt text. */
function textOf(node: Node | string): string {
  return typeof node === 'string' ? node : node.children.map(textOf).join('');
}

/** Turns a parsed node into React elements: links only http(s), mailto and site paths, opened safely; images as their alt text. */
function toReact(node: Node | string, key: number, inHead = false): ReactNode {
  if (typeof node === 'string') return node;
  const children = (head = inHead) => node.children.map((child, index) => toReact(child, index, head));
  switch (node.type) {
    case smd.LINK:
    case smd.RAW_URL: {
      const href = safeHref(node.attrs[smd.HREF]);
      return href
        ? createElement('a', { key, href, target: '_blank', rel: 'noopener noreferrer' }, children())
        : createElement('span', { key }, children());
    }
    // Images in replies are shown as their alt text: no tracking pixels, no layout jumps.
    case smd.IMAGE: {
      const alt = textOf(node);
      return alt ? createElement('span', { key }, alt) : null;
    }
    case smd.CODE_BLOCK:
    case smd.CODE_FENCE:
      return createElement('pre', { key }, createElement('code', null, children()));
    case smd.TABLE: {
      // The first row is the head.
      const [head, ...body] = node.children;
      return createElement(
        'table',
        { key },
        head && createElement('thead', null, toReact(head, 0, true)),
        body.length > 0 && createElement('tbody', null, body.map((row, index) => toReact(row, index))),
      );
    }
    case smd.TABLE_CELL:
      return createElement(inHead ? 'th' : 'td', { key }, children(false));
    case smd.LIST_ORDERED: {
      const start = Number(node.attrs[smd.START]);
      return createElement('ol', { key, ...(start > 1 ? { start } : {}) }, children());
    }
    case smd.CHECKBOX:
      return createElement('input', { key, type: 'checkbox', disabled: true, checked: smd.CHECKED in node.attrs, readOnly: true });
    case smd.DOCUMENT:
      return children();
  }
  const tag = TAGS[node.type];
  if (!tag) return null;
  return tag === 'br' || tag === 'hr' ? createElement(tag, { key }) : createElement(tag, { key }, children());
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
