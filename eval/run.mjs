#!/usr/bin/env node
// `pnpm eval`: asks the local provider the shopper questions of questions.json, on the demo store
// and on a second, different store (eval/bike-shop), and prints accuracy by intent: the right
// source, the required facts, the expected product cards, and no invented product or price.
// `--check` fails when anything is invented or accuracy is under 90% (the test command runs it).
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createLocalProvider } from '@concierge/proxy';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const STORES = { demo: here('../apps/storefront/content'), bikes: here('./bike-shop') };
// Amounts the store's own pages state (shipping costs, repair prices…) are facts, not inventions.
const { readdir } = await import('node:fs/promises');
const pageAmounts = {};
for (const [store, dir] of Object.entries(STORES)) {
  const amounts = new Set();
  for (const entry of await readdir(dir, { recursive: true })) {
    if (!String(entry).endsWith('.md')) continue;
    for (const match of (await readFile(`${dir}/${entry}`, 'utf8')).matchAll(/[$€£]\s?(\d[\d,]*(?:\.\d+)?)/g)) amounts.add(Number(match[1].replace(/,/g, '')));
  }
  pageAmounts[store] = amounts;
}
const CATALOGS = {
  demo: JSON.parse(await readFile(here('../apps/storefront/content/products.json'), 'utf8')),
  bikes: JSON.parse(await readFile(here('./bike-shop/bikes.json'), 'utf8')),
};
// The demo's order book (as apps/storefront/lib/orders.ts), for the order-lookup questions.
const ORDERS = [
  { orderNumber: 'LF-10427', email: 'ada@example.com', status: 'shipped', carrier: 'UPS' },
  { orderNumber: 'LF-10512', email: 'grace@example.com', status: 'processing' },
];
const orders = { lookup: async ({ orderNumber, email }) => ORDERS.find((order) => order.orderNumber === orderNumber && order.email === email.toLowerCase()) };

const questions = JSON.parse(await readFile(here('./questions.json'), 'utf8'));
const providers = {};
for (const [store, dir] of Object.entries(STORES)) providers[store] = await createLocalProvider({ dir, chunkDelayMs: 0, warn: () => {} });

const byIntent = new Map();
const failures = [];
let invented = 0;
for (const [number, { store, intent, question, history = [], expect }] of questions.entries()) {
  let text = '';
  let sources = [];
  let products = [];
  const request = {
    message: question,
    threadId: 't',
    history: history.map((message, index) => ({ id: String(index), createdAt: '', ...message })),
    signal: new AbortController().signal,
    ...(expect.orders ? { orders } : {}),
  };
  for await (const event of providers[store].reply(request)) {
    if (event.type === 'delta') text += event.text;
    else if (event.type === 'sources') sources = event.sources;
    else if (event.type === 'products') products = event.products;
  }
  const problems = [];
  const lower = text.toLowerCase();
  if (expect.source && !sources.some((source) => source.url === expect.source)) problems.push(`source ${expect.source} missing`);
  for (const fact of expect.facts ?? []) if (!lower.includes(fact.toLowerCase())) problems.push(`fact "${fact}" missing`);
  for (const slug of expect.products ?? []) if (!products.some((product) => product.id === slug)) problems.push(`card ${slug} missing`);
  if (expect.noProducts && products.length) problems.push(`unexpected cards ${products.map((product) => product.id)}`);
  if (expect.notUnknown && /don't know/.test(text)) problems.push('answered "I don\'t know"');
  if (expect.maxPrice !== undefined && products.some((product) => product.price > expect.maxPrice)) problems.push('a card over the price asked');
  if (expect.minPrice !== undefined && products.some((product) => product.price < expect.minPrice)) problems.push('a card under the price asked');
  // Invented: a card or a price that is not in this store's catalog.
  const catalog = CATALOGS[store];
  const prices = new Set([...catalog.map((product) => product.price), ...pageAmounts[store]]);
  const made = [
    ...products.filter((product) => !catalog.some((entry) => entry.slug === product.id && entry.price === product.price)).map((product) => `card ${product.id}`),
    ...[...text.matchAll(/[$€£]\s?(\d[\d,]*(?:\.\d+)?)/g)].map((match) => Number(match[1].replace(/,/g, ''))).filter((amount) => !prices.has(amount)).map((amount) => `price ${amount}`),
  ];
  if (made.length) {
    invented++;
    problems.push(`invented ${made.join(', ')}`);
  }
  const tally = byIntent.get(intent) ?? { right: 0, total: 0 };
  tally.total++;
  if (!problems.length) tally.right++;
  byIntent.set(intent, tally);
  if (problems.length) failures.push(`#${number} [${store}/${intent}] ${question}\n    ${problems.join('; ')}\n    → ${text.slice(0, 160).replace(/\n/g, ' ')}`);
}

const total = [...byIntent.values()].reduce((sum, { total }) => sum + total, 0);
const right = [...byIntent.values()].reduce((sum, { right }) => sum + right, 0);
console.log(`Local provider on ${questions.length} shopper questions (${Object.keys(STORES).join(' and ')} stores):\n`);
for (const [intent, { right: ok, total: all }] of [...byIntent].sort()) console.log(`  ${intent.padEnd(16)} ${String(ok).padStart(3)} / ${String(all).padEnd(3)} ${((ok / all) * 100).toFixed(0).padStart(4)}%`);
console.log(`\n  overall          ${right} / ${total}  ${((right / total) * 100).toFixed(1)}%   invented products or prices: ${invented}`);
if (failures.length && (process.argv.includes('--verbose') || !process.argv.includes('--check'))) console.log(`\nMissed:\n${failures.join('\n')}`);
if (process.argv.includes('--check') && (invented > 0 || right / total < 0.9)) {
  console.error(`\nBelow the bar: ${invented} invented, ${((right / total) * 100).toFixed(1)}% (at least 90% and none invented).`);
  process.exit(1);
}
