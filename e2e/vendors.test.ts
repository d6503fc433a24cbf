import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CANARY } from './canary';
import { startFakeVendors } from './fake-vendors';
import { launchChromium, startStorefront } from './storefront-server';

const NEXT_DIR = fileURLToPath(new URL('../apps/storefront/.next', import.meta.url));
const CANARIES = Object.values(CANARY);

let browser: Browser;
let vendors: Awaited<ReturnType<typeof startFakeVendors>>;

beforeAll(async () => {
  vendors = await startFakeVendors();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  vendors?.close();
});

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

/** Every response body and header the page receives, to search for the canaries. */
function recordTraffic(page: Page): string[] {
  const seen: string[] = [];
  page.on('response', async (response) => {
    seen.push(JSON.stringify(response.headers()));
    seen.push(await response.text().catch(() => ''));
  });
  return seen;
}

async function ask(page: Page, origin: string, question: string) {
  await page.goto(`${origin}/policies/returns`);
  await page.getByRole('button', { name: 'Open chat' }).click();
  const dialog = page.getByRole('dialog', { name: 'Larkfield help' });
  await dialog.getByRole('textbox', { name: 'Message' }).fill(question);
  await dialog.getByRole('button', { name: 'Send' }).click();
  return dialog;
}

describe('the secret keys', () => {
  it('appear in no file a browser can download from the canary build', async () => {
    const files = [...(await filesUnder(join(NEXT_DIR, 'static'))), ...(await filesUnder(join(NEXT_DIR, 'server', 'app')))].filter(
      (file) => /\.(js|css|html|rsc|json|txt|map)$/.test(file) && !file.includes(`${join('server', 'app', 'api')}`),
    );
    expect(files.length).toBeGreaterThan(20);
    for (const file of files) {
      const text = await readFile(file, 'utf8');
      for (const canary of CANARIES) expect(text.includes(canary), `${canary} in ${file}`).toBe(false);
    }
  });
});

const VENDORS = [
  {
    name: 'alhena',
    env: { CONCIERGE_PROVIDER: 'alhena', ALHENA_BASE_URL: '' },
    path: '/api/v1/send_message',
    key: CANARY.ALHENA_API_KEY,
    answer: 'unworn items can be returned within 30 days',
    source: 'Alhena returns page',
  },
  {
    name: 'gleen',
    env: { CONCIERGE_PROVIDER: 'gleen', GLEEN_BASE_URL: '' },
    path: '/api/v1/send_message',
    key: CANARY.GLEEN_API_KEY,
    answer: 'unworn items can be returned within 30 days',
    source: 'Alhena returns page',
  },
  {
    name: 'alonchat',
    env: { CONCIERGE_PROVIDER: 'alonchat', ALONCHAT_AGENT_ID: 'agent_e2e', ALONCHAT_BASE_URL: '' },
    path: '/v1/agents/agent_e2e/chat',
    key: CANARY.ALONCHAT_API_KEY,
    answer: 'From AlonChat: returns are free for 30 days.',
    source: 'AlonChat returns answer',
  },
  {
    name: 'hania',
    env: { CONCIERGE_PROVIDER: 'hania', HANIA_BOT_ID: 'b1f2c3d4-5678-90ab-cdef-1234567890ab', HANIA_BASE_URL: '' },
    path: '/api/v1/chat/send-stream',
    key: CANARY.HANIA_API_KEY,
    answer: 'From Hania: send it back within 30 days.',
    source: null,
  },
  {
    name: 'openai',
    env: { CONCIERGE_PROVIDER: 'openai', OPENAI_MODEL: 'llama3.1', OPENAI_BASE_URL: '/v1' },
    path: '/v1/chat/completions',
    key: CANARY.OPENAI_API_KEY,
    answer: 'From the model: returns are accepted within 30 days.',
    source: 'Returns and refunds: Return policy',
  },
] as const;

describe.each(VENDORS)('the storefront on $name', (vendor) => {
  it('answers through the proxy with the vendor\'s reply and sources, and no key reaches the browser', async () => {
    const env: Record<string, string> = { ...CANARY };
    for (const [name, value] of Object.entries(vendor.env)) {
      env[name] = name.endsWith('_BASE_URL') ? `${vendors.url}${value}` : value;
    }
    const storefront = await startStorefront(env);
    const page = await browser.newPage();
    const traffic = recordTraffic(page);
    try {
      const calls = vendors.calls.length;
      const dialog = await ask(page, storefront.origin, 'What is your return policy?');
      const log = dialog.getByRole('log');
      await log.getByText(vendor.answer, { exact: false }).waitFor();
      await dialog.getByRole('button', { name: 'Send' }).waitFor();
      if (vendor.source) await log.getByText(vendor.source).waitFor();

      const call = vendors.calls.slice(calls).find((entry) => entry.path === vendor.path);
      expect(call?.authorization).toBe(`Bearer ${vendor.key}`);
      // The widget sends the page URL and locale by default.
      if (vendor.name === 'alhena') {
        expect(call?.body).toMatchObject({ page_url: `${storefront.origin}/policies/returns`, locale: 'en' });
      }

      await page.reload();
      await page.getByRole('dialog', { name: 'Larkfield help' }).getByText(vendor.answer, { exact: false }).waitFor();
      await page.waitForLoadState('networkidle');
      const seen = traffic.join('\n');
      for (const canary of CANARIES) expect(seen.includes(canary), canary).toBe(false);
      expect(storefront.output()).not.toContain(vendor.key);
    } finally {
      await page.close();
      storefront.close();
    }
  });
});

describe('product FAQs from Alhena through the storefront', () => {
  it('a product page viewed twice, and its FAQs asked by a browser, make one upstream call', async () => {
    const storefront = await startStorefront({ ...CANARY, CONCIERGE_PROVIDER: 'alhena', ALHENA_BASE_URL: vendors.url });
    try {
      const before = vendors.calls.length;
      const url = `${storefront.origin}/products/waxed-canvas-field-jacket`;
      for (let view = 0; view < 2; view++) expect(await (await fetch(url)).text()).toContain('Is it waterproof?');
      const api = await fetch(`${storefront.origin}/api/concierge/product-faqs?page_url=${encodeURIComponent(url)}&count=6`);
      expect(((await api.json()) as { status: string }).status).toBe('ready');
      expect(vendors.calls.slice(before).filter((call) => call.path.startsWith('/api/v1/product-faqs'))).toHaveLength(1);
    } finally {
      storefront.close();
    }
  });
});

describe('a vendor rate limit in the browser', () => {
  it('counts down, sends the message again by itself no sooner than Retry-After, then enables Send', async () => {
    const storefront = await startStorefront({ ...CANARY, CONCIERGE_PROVIDER: 'alhena', ALHENA_BASE_URL: vendors.url });
    const page = await browser.newPage();
    try {
      const before = vendors.calls.length;
      const slowDowns = () => vendors.calls.slice(before).filter((call) => String(call.body.query_text ?? '').includes('slow down'));
      const started = Date.now();
      const dialog = await ask(page, storefront.origin, 'Please slow down');
      const alert = dialog.getByRole('alert');
      await alert.getByText(/Too many messages at once.*Retrying in [12] s/).waitFor();
      expect(await dialog.getByRole('button', { name: 'Send' }).isDisabled()).toBe(true);
      // The vendor keeps refusing: 4 attempts in all, each at least Retry-After (2 s) after the last.
      await alert.getByText('You can send messages again.').waitFor({ timeout: 15_000 });
      expect(slowDowns()).toHaveLength(4);
      expect(Date.now() - started).toBeGreaterThanOrEqual(6000);
      expect(await dialog.getByRole('button', { name: 'Send' }).isEnabled()).toBe(true);
      expect(await dialog.getByText('Not sent').count()).toBe(1);
    } finally {
      await page.close();
      storefront.close();
    }
  });
});
