import { render } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { Markdown, splitBlocks } from './markdown';

describe('Markdown', () => {
  it('renders lists, emphasis, code and tables', () => {
    const { container } = render(
      <Markdown text={'**Bold** and *soft*\n\n- one\n- two\n\n`code`\n\n| a | b |\n| - | - |\n| 1 | 2 |'} />,
    );
    expect(container.querySelector('strong')?.textContent).toBe('Bold');
    expect(container.querySelectorAll('li')).toHaveLength(2);
    expect(container.querySelector('code')?.textContent).toBe('code');
    expect(container.querySelector('table td')?.textContent?.trim()).toBe('1');
  });

  it('keeps underscores inside words, and emphasis around them', () => {
    const { container } = render(<Markdown text={'Order SKU_12_A or snake_case_name, _soft_ and __bold__: `my_var` and\n```\nfoo_bar\n```'} />);
    expect(container.textContent).toContain('SKU_12_A or snake_case_name');
    expect(container.querySelector('em')?.textContent).toBe('soft');
    expect(container.querySelector('strong')?.textContent).toBe('bold');
    expect([...container.querySelectorAll('code')].map((code) => code.textContent)).toEqual(['my_var', 'foo_bar']);
  });

  it('renders a table head, numbered lists from their start, quotes, rules and task boxes', () => {
    const { container } = render(
      <Markdown text={'| Size | Chest |\n| - | - |\n| M | 96 cm |\n\n3. three\n4. four\n\n> quoted\n\n---\n\n- [x] packed\n- [ ] shipped\n\n## Two\n\n###### Six ~~old~~'} />,
    );
    expect(container.querySelector('h2')?.textContent).toBe('Two');
    expect(container.querySelector('h6 s')?.textContent).toBe('old');
    expect([...container.querySelectorAll('thead th')].map((cell) => cell.textContent?.trim())).toEqual(['Size', 'Chest']);
    expect([...container.querySelectorAll('tbody td')].map((cell) => cell.textContent?.trim())).toEqual(['M', '96 cm']);
    expect(container.querySelector('ol')?.getAttribute('start')).toBe('3');
    expect(container.querySelector('blockquote')?.textContent).toBe('quoted');
    expect(container.querySelector('hr')).not.toBeNull();
    const boxes = [...container.querySelectorAll<HTMLInputElement>('input[type="checkbox"]')];
    expect(boxes.map((box) => [box.checked, box.disabled])).toEqual([[true, true], [false, true]]);
  });

  it('keeps what looks like a tag in code as text', () => {
    const { container } = render(<Markdown text={'`<b>x</b>`\n\n```\n<script>alert(1)</script>\n```'} />);
    expect(container.querySelector('script, b')).toBeNull();
    expect(container.querySelector('pre code')?.textContent).toBe('<script>alert(1)</script>');
  });

  it('never renders raw HTML from the model', () => {
    const { container } = render(
      <Markdown text={'Hi <script>alert(1)</script> <img src=x onerror="alert(1)"> <b onclick="x()">b</b> <iframe src="https://evil.example"></iframe>'} />,
    );
    expect(container.querySelector('script, img, iframe, b, [onerror], [onclick]')).toBeNull();
    expect(container.textContent).toContain('<script>');
  });

  it('opens http(s) links safely and keeps mailto and same-site links', () => {
    const { container } = render(
      <Markdown text={'[Shop](https://shop.example/a) [Mail](mailto:care@shop.example) [Returns](/policies/returns)'} />,
    );
    const links = [...container.querySelectorAll('a')];
    expect(links.map((link) => link.getAttribute('href'))).toEqual([
      'https://shop.example/a',
      'mailto:care@shop.example',
      '/policies/returns',
    ]);
    for (const link of links) expect(link.getAttribute('rel')).toBe('noopener noreferrer');
  });

  it.each(['javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'data:text/html,<script>alert(1)</script>', 'vbscript:x', 'file:///etc/passwd'])(
    'renders a %s link as plain text',
    (href) => {
      const { container } = render(<Markdown text={`[click me](${href})`} />);
      expect(container.querySelector('a')).toBeNull();
      expect(container.textContent).toContain('click me');
    },
  );

  it('shows images as their alt text only', () => {
    const { container } = render(<Markdown text={'![tracking pixel](https://evil.example/p.gif)'} />);
    expect(container.querySelector('img')).toBeNull();
    expect(container.textContent).toBe('tracking pixel');
  });
});

describe('splitBlocks', () => {
  it('splits at blank lines so finished blocks keep their parse', () => {
    expect(splitBlocks('One\nstill one\n\nTwo\n\n\n- three\n- three')).toEqual(['One\nstill one', 'Two', '- three\n- three']);
  });

  it('keeps a fenced code block with blank lines whole, even while it is still open', () => {
    expect(splitBlocks('Intro\n\n```js\na();\n\nb();\n```\n\nAfter')).toEqual(['Intro', '```js\na();\n\nb();\n```', 'After']);
    expect(splitBlocks('```\nopen\n\nstill open')).toEqual(['```\nopen\n\nstill open']);
  });

  it('renders the same document whole or block by block', () => {
    const text = '# Title\n\nParagraph with **bold**.\n\n1. one\n2. two\n\n```\ncode\n\nmore\n```';
    const { container } = render(<Markdown text={text} />);
    expect(container.querySelector('h1')?.textContent).toBe('Title');
    expect(container.querySelectorAll('ol li')).toHaveLength(2);
    expect(container.querySelector('pre code')?.textContent?.trimEnd()).toBe('code\n\nmore');
  });
});
