import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Provider, ProviderEvent, ProviderRequest } from '../provider';
import { createLocalProvider } from './local-provider';

const KB_DIR = fileURLToPath(new URL('../../fixtures/knowledge-base', import.meta.url));

async function ask(message: string, history: ProviderRequest['history'] = [], dir = KB_DIR) {
  const provider = await createLocalProvider({ dir, chunkDelayMs: 0 });
  const events: ProviderEvent[] = [];
  for await (const event of provider.reply({ message, threadId: 't', history, signal: new AbortController().signal })) {
    events.push(event);
  }
  const text = events.flatMap((event) => (event.type === 'delta' ? [event.text] : [])).join('');
  const sources = events.find((event) => event.type === 'sources');
  const products = events.find((event) => event.type === 'products');
  const done = events.at(-1);
  return {
    products: products?.type === 'products' ? products.products : [],
    text,
    chunks: events.filter((event) => event.type === 'delta').length,
    sources: sources?.type === 'sources' ? sources.sources : [],
    confidence: done?.type === 'done' ? done.confidence : undefined,
  };
}

async function collect(provider: Provider, message: string) {
  const events: ProviderEvent[] = [];
  for await (const event of provider.reply({ message, threadId: 't', history: [], signal: new AbortController().signal })) events.push(event);
  const sources = events.find((event) => event.type === 'sources');
  return {
    text: events.flatMap((event) => (event.type === 'delta' ? [event.text] : [])).join(''),
    sources: sources?.type === 'sources' ? sources.sources : [],
  };
}

describe('createLocalProvider', () => {
  it('answers from the best passage, cites it with relevance, and streams in chunks', async () => {
    const answer = await ask('What is your return policy?');
    expect(answer.text).toContain('returned within 30 days');
    expect(answer.chunks).toBeGreaterThan(5);
    expect(answer.sources[0]).toMatchObject({ title: 'Returns: Return window', url: '/policies/returns' });
    expect(answer.sources[0]!.relevance).toBeGreaterThan(0.5);
    expect(answer.confidence).toBe(1);
  });

  it('answers product questions from the catalog', async () => {
    const answer = await ask('Can I use the skillet on induction?');
    expect(answer.text).toContain('Gas, electric, induction and oven.');
    expect(answer.sources[0]).toMatchObject({ title: 'Cast Iron Skillet', url: '/products/cast-iron-skillet' });
    // The product comes with the reply as a card: only what the catalog says.
    expect(answer.products).toEqual([
      { id: 'cast-iron-skillet', name: 'Cast Iron Skillet', url: '/products/cast-iron-skillet', price: 95, currency: 'USD', reason: 'A pre-seasoned 26 cm skillet.' },
    ]);
  });

  it('sends no product card with an answer from a policy page', async () => {
    expect((await ask('What is your return policy?')).products).toEqual([]);
  });

  it.each(['What is the weather tomorrow?', 'Who won the football game?', 'Do you ship to Canada?'])(
    'does not invent an answer to %s',
    async (question) => {
      const answer = await ask(question);
      expect(answer.text).toMatch(/^I'm not sure about that, and I'd rather not guess\./);
      expect(answer.text).toContain('[Contact us](/policies/contact)');
      expect(answer.confidence).toBe(0);
    },
  );

  it('reads a vague follow-up together with the question before it', async () => {
    const alone = await ask('and for refunds?');
    expect(alone.sources[0]?.url).toBe('/policies/returns');
    const followUp = await ask('how fast is it?', [
      { id: '1', role: 'user', text: 'Tell me about express shipping', createdAt: '' },
      { id: '2', role: 'assistant', text: '…', createdAt: '' },
    ]);
    expect(followUp.text).toContain('1–2 days');
  });

  it('cites a page without url: front matter without a link (never a guessed path), and says so once, listing the pages', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'concierge-kb-'));
    await mkdir(join(dir, 'help'));
    await writeFile(join(dir, 'help', 'gift-cards.md'), '# Gift cards\n\nGift cards never expire and can be used online or in the studio.');
    await writeFile(join(dir, 'contact.md'), '# Contact us\n\nWrite to help@shop.example any day.');
    const warnings: string[] = [];
    const provider = await createLocalProvider({ dir, chunkDelayMs: 0, warn: (line) => warnings.push(line) });
    const answer = await collect(provider, 'Do gift cards expire?');
    expect(answer.text).toContain('never expire');
    expect(answer.sources).toEqual([{ title: 'Gift cards', relevance: expect.any(Number) }]);
    const unknown = await collect(provider, 'Who won the football game?');
    expect(unknown.text).toContain('see **Contact us**');
    expect(unknown.text).not.toContain('](');
    expect(unknown.sources).toEqual([{ title: 'Contact us' }]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('contact.md, help/gift-cards.md');
    expect(warnings[0]).toContain('CONCIERGE_PAGES_BASE_URL');
  });

  it('links pages without url: under pagesBaseUrl by their path in the folder (nested folders, index pages)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'concierge-kb-'));
    await mkdir(join(dir, 'cards'));
    await writeFile(join(dir, 'cards', 'index.md'), '# Gift cards\n\nGift cards never expire and can be used online or in the studio.');
    await writeFile(join(dir, 'returns.md'), '---\nurl: /policies/returns\n---\n# Returns\n\nReturn unworn items within 30 days.');
    const warnings: string[] = [];
    const provider = await createLocalProvider({ dir, chunkDelayMs: 0, pagesBaseUrl: 'https://shop.example/help/', warn: (line) => warnings.push(line) });
    expect((await collect(provider, 'Do gift cards expire?')).sources[0]).toMatchObject({ url: 'https://shop.example/help/cards' });
    expect((await collect(provider, 'Can I return unworn items?')).sources[0]).toMatchObject({ url: '/policies/returns' });
    expect(warnings).toEqual([]);
  });

  it('refuses an empty folder and a malformed catalog with a clear message', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'concierge-kb-'));
    await expect(createLocalProvider({ dir: empty })).rejects.toThrow(/no Markdown pages or product catalogs/);
    await writeFile(join(empty, 'products.json'), '{"not":"an array"}');
    await expect(createLocalProvider({ dir: empty })).rejects.toThrow(/products.json must hold an array/);
  });
});
