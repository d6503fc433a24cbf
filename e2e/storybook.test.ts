import { spawnSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './storefront-server';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const STATIC = join(ROOT, 'storybook-static');
const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots');
const AXE = fileURLToPath(import.meta.resolve('axe-core/axe.min.js'));
const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];

let browser: Browser;
let server: Server;
let origin = '';
let stories: { id: string; title: string; name: string }[] = [];
let docs: { id: string; title: string; name: string }[] = [];

beforeAll(async () => {
  // The static Storybook, built as the README's command builds it.
  if (process.env.CONCIERGE_E2E_REUSE_BUILD !== '1') {
    const build = spawnSync(process.execPath, [join(ROOT, 'node_modules/storybook/dist/bin/dispatcher.js'), 'build', '-o', STATIC, '--quiet'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, STORYBOOK_DISABLE_TELEMETRY: '1' },
    });
    if (build.status !== 0) throw new Error(`storybook build failed:\n${build.stdout}\n${build.stderr}`);
  }
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.svg': 'image/svg+xml', '.woff2': 'font/woff2' };
  server = createServer(async (request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    try {
      const body = await readFile(join(STATIC, path === '/' ? 'index.html' : decodeURIComponent(path)));
      response.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' }).end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const index = JSON.parse(await readFile(join(STATIC, 'index.json'), 'utf8')) as { entries: Record<string, { id: string; type: string; title: string; name: string }> };
  stories = Object.values(index.entries).filter((entry) => entry.type === 'story');
  docs = Object.values(index.entries).filter((entry) => entry.type === 'docs');
  browser = await launchChromium();
  await mkdir(SCREENSHOTS, { recursive: true });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  server?.close();
});

async function openStory(id: string, viewport = { width: 1024, height: 768 }): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport, reducedMotion: 'reduce' });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('response', (response) => {
    if (response.status() >= 400 && !response.url().endsWith('/favicon.ico')) errors.push(`${response.status()} ${response.url()}`);
  });
  page.on('console', (message) => {
    // Failed loads are reported above, with their address.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) errors.push(message.text());
  });
  await page.goto(`${origin}/iframe.html?id=${id}&viewMode=story`);
  await page.waitForFunction(() => document.querySelector('#storybook-root')?.childElementCount !== undefined && document.body.classList.contains('sb-show-main'));
  await page.waitForTimeout(300);
  return { page, errors };
}

describe('Storybook', () => {
  it('has a story for every state the issue lists', () => {
    const names = stories.map((story) => `${story.title}/${story.name}`);
    for (const state of [
      'Chat/Window/Empty',
      'Chat/Window/Greeting',
      'Chat/Window/Waiting For First Token',
      'Chat/Window/Streaming',
      'Chat/Window/Long Markdown Reply',
      'Chat/Window/With Sources',
      'Chat/Window/Rate Limit Countdown',
      'Chat/Window/Billing',
      'Chat/Window/Interrupted',
      'Chat/Window/Queued Offline',
      'Chat/Window/Thousand Messages',
      'Chat/Window/Streaming In Long Thread',
      'Chat/Window/Right To Left',
      'Chat/Window/Dark',
      'Chat/Window/Mobile',
      'FAQ/Accordion/Generating',
      'FAQ/Accordion/Ready',
      'FAQ/Accordion/Not Available',
      'FAQ/Accordion/Error',
      'Chat/Product Cards/One Card',
      'Chat/Product Cards/Several',
      'Chat/Product Cards/No Image',
      'Chat/Product Cards/Out Of Stock',
      'Chat/Launcher/With Nudge',
      'Chat/Window/Launcher With Nudge',
      'Chat/Window/Starters',
      'Chat/Window/Follow Up Suggestions',
      'Chat/Window/Feedback Given',
      'Chat/Window/Feedback Comment',
      'Chat/Window/Offers A Person',
      'Chat/Window/Handoff Form',
      'Chat/Window/Handoff Invalid Email',
      'Chat/Window/Handoff Sent',
    ]) {
      expect(names).toContain(state);
    }
  });

  it('passes an axe audit (WCAG 2.2 A and AA) in every story, and renders it without errors', async () => {
    const axe = await readFile(AXE, 'utf8');
    const failures: string[] = [];
    for (const story of stories) {
      const { page, errors } = await openStory(story.id);
      if (story.name === 'Launcher' || story.name === 'Launcher With Brand Color') {
        await page.getByRole('button', { name: /chat/ }).first().waitFor();
      }
      // Stories that act on load (a nudge, a filled form) are audited in their final state.
      const settled: Record<string, string> = {
        'Launcher With Nudge': '.concierge-nudge',
        'Feedback Comment': '.concierge-feedback-form',
        'Handoff Form': '.concierge-handoff input',
        'Handoff Invalid Email': '[aria-invalid="true"]',
        'Handoff Sent': '.concierge-handoff [role="status"]',
      };
      if (settled[story.name]) await page.locator(settled[story.name]!).first().waitFor();
      await page.addScriptTag({ content: axe });
      const violations = await page.evaluate(async (tags) => {
        const result = await (window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }> } }).axe.run(document, {
          runOnly: { type: 'tag', values: tags },
        });
        return result.violations.map((violation) => `${violation.id} at ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
      }, WCAG);
      for (const violation of violations) failures.push(`${story.id}: ${violation}`);
      for (const error of errors) failures.push(`${story.id}: console: ${error}`);
      await page.close();
    }
    expect(failures).toEqual([]);
  }, 300_000);

  it('has one title per component, each with a docs page whose props table lists its props, and an introduction', async () => {
    const titles = new Set(stories.map((story) => story.title));
    const components = ['Chat/Composer', 'Chat/Launcher', 'Chat/Message', 'Chat/Product Cards', 'Chat/Sources', 'Chat/Window', 'FAQ/Accordion'];
    expect([...titles].sort()).toEqual(components);
    expect(docs.map((entry) => entry.title).sort()).toEqual([...components, 'Introduction']);
    for (const [id, props] of [
      ['chat-launcher--docs', ['open', 'label']],
      ['chat-message--docs', ['message', 'strings', 'offline']],
      ['chat-sources--docs', ['sources', 'label']],
      ['chat-composer--docs', ['strings', 'draftKey']],
      ['chat-product-cards--docs', ['products', 'strings']],
    ] as const) {
      const page = await browser.newPage();
      await page.goto(`${origin}/iframe.html?id=${id}&viewMode=docs`);
      const table = page.locator('.docblock-argstable').first();
      await table.waitFor({ timeout: 20_000 });
      const text = await table.textContent();
      for (const prop of props) expect(text, `${id} lists ${prop}`).toContain(prop);
      await page.close();
    }
    const introduction = await browser.newPage();
    await introduction.goto(`${origin}/iframe.html?id=introduction--docs&viewMode=docs`);
    for (const heading of ['Getting started', 'Theming', 'Languages', 'Accessibility']) {
      await introduction.getByRole('heading', { name: heading }).waitFor({ timeout: 20_000 });
    }
    await introduction.close();
  });

  it('controls change what a story shows', async () => {
    // Args in the URL are what the Controls panel sets.
    const { page } = await openStory('chat-launcher--closed&args=label:Ask+us');
    expect(await page.getByRole('button').getAttribute('aria-label')).toBe('Ask us');
    await page.close();
  });

  it('renders key stories to PNG, none blank or broken', async () => {
    for (const id of ['chat-window--with-sources', 'chat-window--long-markdown-reply', 'chat-window--dark', 'chat-window--right-to-left', 'chat-window--mobile', 'faq-accordion--ready-with-one-open']) {
      const viewport = id.endsWith('mobile') ? { width: 375, height: 700 } : { width: 1024, height: 768 };
      const { page } = await openStory(id, viewport);
      expect(await page.locator('.sb-errordisplay').isVisible()).toBe(false);
      const target = page.locator('.concierge-window, .concierge-faq').first();
      const box = await target.boundingBox();
      expect(box?.width, id).toBeGreaterThan(200);
      expect(box?.height, id).toBeGreaterThan(100);
      const png = await target.screenshot();
      await writeFile(join(SCREENSHOTS, `${id}.png`), png);
      // A blank render compresses to almost nothing; a real one has text and shapes.
      expect(png.length, id).toBeGreaterThan(8_000);
      const colors = await page.evaluate(() => new Set([...document.querySelectorAll('#storybook-root *')].map((element) => getComputedStyle(element).color)).size);
      expect(colors, id).toBeGreaterThan(1);
      await page.close();
    }
  });
});

describe('interactions in the stories', () => {
  it('nudges without taking focus, slides in only when motion is allowed, opens the chat with its words, and stays away once dismissed', async () => {
    const { page } = await openStory('chat-window--launcher-with-nudge');
    const bubble = page.getByRole('button', { name: /Questions about the Merino Crew/ });
    await bubble.waitFor();
    expect(await page.evaluate(() => document.activeElement === document.body)).toBe(true);
    expect(await page.locator('.concierge-nudge-region').getAttribute('role')).toBe('status');
    expect(await page.locator('.concierge-nudge').evaluate((element) => getComputedStyle(element).animationName)).toBe('none');
    await bubble.click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Questions about the Merino Crew? I can help with sizing and care.').waitFor();
    expect(await dialog.getByText('Hi! How can I help?').count()).toBe(0);
    // Clicking counts as seen: after a reload this device is not nudged again.
    await page.evaluate(() => sessionStorage.clear());
    await page.reload();
    await page.getByRole('button', { name: 'Open chat' }).waitFor();
    await page.waitForTimeout(800);
    expect(await page.locator('.concierge-nudge').count()).toBe(0);
    await page.close();

    const moving = await browser.newPage({ reducedMotion: 'no-preference' });
    await moving.goto(`${origin}/iframe.html?id=chat-window--launcher-with-nudge&viewMode=story`);
    const again = moving.locator('.concierge-nudge');
    await again.waitFor();
    expect(await again.evaluate((element) => getComputedStyle(element).animationName)).toBe('concierge-nudge-in');
    // Keyboard: Tab reaches the nudge before the launcher; Escape dismisses it; focus lands on the launcher.
    await moving.keyboard.press('Tab');
    expect(await moving.evaluate(() => document.activeElement?.textContent)).toMatch(/Merino Crew/);
    await moving.keyboard.press('Escape');
    await again.waitFor({ state: 'detached' });
    expect(await moving.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Open chat');
    await moving.close();
  });

  it('sends a starter and a follow-up from the keyboard', async () => {
    const { page } = await openStory('chat-window--starters');
    const starters = page.getByRole('group', { name: 'Suggested questions' });
    await starters.getByRole('button', { name: 'How do returns work?' }).click();
    await page.getByText('one business day').waitFor();
    await page.close();

    const followUps = await openStory('chat-window--follow-up-suggestions');
    const group = followUps.page.getByRole('group', { name: 'Suggested questions' });
    await group.getByRole('button', { name: 'Tell me about exchanges' }).focus();
    await followUps.page.keyboard.press('Enter');
    await followUps.page.getByRole('article', { name: 'You' }).filter({ hasText: 'Tell me about exchanges' }).waitFor();
    // Hidden while the reply is on its way; the new reply brings none in this story.
    await followUps.page.getByText('one business day').waitFor();
    expect(await group.count()).toBe(0);
    await followUps.page.close();
  });

  it('rates a reply with a thumbs up, and a thumbs down with a comment, by keyboard', async () => {
    const { page } = await openStory('chat-window--with-sources');
    const up = page.getByRole('button', { name: 'Helpful', exact: true });
    await up.click();
    await page.waitForFunction(() => document.querySelector('[aria-label="Helpful"]')?.getAttribute('aria-pressed') === 'true');
    await page.getByText('Thanks for your feedback.').waitFor();
    await page.getByRole('button', { name: 'Not helpful' }).focus();
    await page.keyboard.press('Enter');
    const comment = page.getByRole('textbox', { name: 'What went wrong? (optional)' });
    await comment.waitFor();
    expect(await comment.evaluate((element) => element === document.activeElement)).toBe(true);
    await page.keyboard.type('It did not say who pays for the label');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByText('Thanks for your feedback.').waitFor();
    expect(await page.getByRole('button', { name: 'Not helpful' }).getAttribute('aria-pressed')).toBe('true');
    expect(await up.getAttribute('aria-pressed')).toBe('false');
    await page.close();
  });

  it('hands the conversation to a person: email checked, confirmation, back to the chat with focus in the composer', async () => {
    const { page } = await openStory('chat-window--offers-a-person');
    await page.getByRole('textbox', { name: 'Message' }).fill('a draft the shopper is writing');
    await page.getByRole('article', { name: 'Assistant' }).getByRole('button', { name: 'Talk to a person' }).click();
    const email = page.getByRole('textbox', { name: 'Email' });
    await page.waitForFunction(() => document.activeElement?.getAttribute('type') === 'email');
    await page.keyboard.type('ana@example');
    await page.keyboard.press('Enter');
    await page.getByText('Enter an email address such as name@example.com.').waitFor();
    expect(await email.getAttribute('aria-invalid')).toBe('true');
    await email.fill('ana@example.com');
    await page.getByRole('textbox', { name: 'Note (optional)' }).fill('I need the carburettor repaired.');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByRole('status').filter({ hasText: 'ana@example.com within one business day' }).waitFor();
    await page.getByRole('button', { name: 'Back to chat' }).click();
    await page.waitForFunction(() => document.activeElement?.getAttribute('aria-label') === null && document.activeElement?.tagName === 'TEXTAREA');
    expect(await page.getByRole('textbox', { name: 'Message' }).inputValue()).toBe('a draft the shopper is writing');
    await page.close();
  });

  it('sends from the keyboard and streams a reply', async () => {
    const { page } = await openStory('chat-window--greeting');
    await page.getByRole('textbox', { name: 'Message' }).fill('Where is my order?');
    await page.keyboard.press('Enter');
    await page.getByText('one business day').waitFor();
    await page.getByRole('button', { name: 'Send' }).waitFor();
    await page.close();
  });

  it('stops a streaming reply, keeping what arrived', async () => {
    const { page } = await openStory('chat-window--streaming');
    await page.getByText('Refunds go back to your original').waitFor();
    await page.getByRole('button', { name: 'Stop' }).click();
    await page.getByText('Reply stopped').waitFor();
    expect(await page.getByRole('button', { name: 'Send' }).isVisible()).toBe(true);
    await page.close();
  });

  it('offers Retry after an error, and the failed text is kept', async () => {
    const { page } = await openStory('chat-window--error-upstream-unavailable');
    await page.getByRole('alert').getByText('temporarily unavailable').waitFor();
    expect(await page.getByText('Can I return sale items?').count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Retry' }).isVisible()).toBe(true);
    await page.close();
  });

  it('says when a passing failure is retried by itself, with Retry now', async () => {
    const { page } = await openStory('chat-window--retrying-automatically');
    const alert = page.getByRole('alert');
    await alert.getByText(/Retrying in (30|29|28) s/).waitFor();
    expect(await alert.getByRole('button', { name: 'Retry now' }).isVisible()).toBe(true);
    expect(await page.getByText('Not sent').count()).toBe(0);
    await page.close();
  });

  it('counts a rate limit down with Send disabled', async () => {
    const { page } = await openStory('chat-window--rate-limit-countdown');
    await page.getByText(/You can send again in (30|29|28) s/).waitFor();
    expect(await page.getByRole('button', { name: 'Send' }).isDisabled()).toBe(true);
    await page.close();
  });

  it('moves through the FAQ accordion with the keyboard', async () => {
    const { page } = await openStory('faq-accordion--ready');
    const first = page.getByRole('button', { name: 'What is the Merino Crew Sweater made of?' });
    await first.focus();
    await page.keyboard.press('End');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Can I return it?');
    await page.keyboard.press('Home');
    await page.keyboard.press('Enter');
    expect(await first.getAttribute('aria-expanded')).toBe('true');
    await page.getByText('merino wool').waitFor();
    await page.close();
  });

  it('virtualizes a 1,000-message thread and opens at its end', async () => {
    const { page } = await openStory('chat-window--thousand-messages');
    await page.getByText('Answer number 999 with').waitFor();
    const rendered = await page.locator('article').count();
    expect(rendered).toBeGreaterThan(3);
    expect(rendered).toBeLessThan(80);
    const log = page.getByRole('log');
    // Let the opening scroll to the end settle (the virtualizer measures as it goes), as a shopper
    // would before scrolling up: the end must hold still for half a second.
    await page.waitForFunction(
      () =>
        new Promise<boolean>((resolve) => {
          const element = document.querySelector('.concierge-log')!;
          const before = element.scrollTop;
          setTimeout(() => resolve(element.scrollTop === before && element.scrollHeight - element.scrollTop - element.clientHeight < 2), 500);
        }),
      null,
      { timeout: 15_000 },
    );
    // Right after opening, the virtualizer may still correct its scroll as it measures; scroll up
    // again until the shopper's position holds (a few tries at most).
    const jump = page.getByRole('button', { name: 'Jump to latest' });
    for (let attempt = 0; attempt < 5 && !(await jump.isVisible()); attempt++) {
      await log.evaluate((element) => element.scrollTo({ top: 0 }));
      await page.waitForTimeout(300);
    }
    await page.getByText('Question number 0?').waitFor();
    await jump.click();
    await page.getByText('Answer number 999 with').waitFor();
    await page.getByRole('button', { name: 'Jump to latest' }).waitFor({ state: 'detached' });
    await page.close();
  });

  it('does not pull a shopper who scrolled up while a reply streams, and offers Jump to latest', async () => {
    const { page } = await openStory('chat-window--streaming-in-long-thread');
    const log = page.getByRole('log');
    await page.locator('[data-status="streaming"]').waitFor();
    await log.evaluate((element) => element.scrollTo({ top: 0 }));
    await page.getByRole('button', { name: 'Jump to latest' }).waitFor();
    const before = await page.locator('[data-status="streaming"]').textContent();
    await page.waitForTimeout(800);
    expect((await page.locator('[data-status="streaming"]').textContent())!.length).toBeGreaterThan(before!.length);
    expect(await log.evaluate((element) => element.scrollTop)).toBeLessThan(5);
    await page.getByRole('button', { name: 'Jump to latest' }).click();
    await page.getByRole('button', { name: 'Jump to latest' }).waitFor({ state: 'detached' });
    // Back at the end, the reply is followed again as it grows.
    await page.waitForTimeout(500);
    expect(await log.evaluate((element) => element.scrollHeight - element.scrollTop - element.clientHeight)).toBeLessThan(200);
    await page.close();
  });

  it('works by keyboard alone: open, type, send, close, focus back on the launcher, focus always visible', async () => {
    const { page } = await openStory('chat-window--launcher');
    await page.keyboard.press('Tab');
    const launcher = page.getByRole('button', { name: 'Open chat' });
    expect(await launcher.evaluate((element) => element === document.activeElement)).toBe(true);
    expect(await launcher.evaluate((element) => getComputedStyle(element).outlineStyle)).not.toBe('none');
    await page.keyboard.press('Enter');
    const input = page.getByRole('textbox', { name: 'Message' });
    await input.waitFor();
    await page.waitForFunction(() => document.activeElement?.tagName === 'TEXTAREA');
    await page.keyboard.type('Where is my order?');
    await page.keyboard.press('Enter');
    await page.getByText('one business day').waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'hidden' });
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Open chat');
    await page.close();
  });

  it('respects reduced motion and marks the log busy while a reply is awaited', async () => {
    const { page } = await openStory('chat-window--waiting-for-first-token');
    const dot = page.locator('.concierge-typing span').first();
    await dot.waitFor();
    expect(await dot.evaluate((element) => getComputedStyle(element).animationName)).toBe('none');
    expect(await page.getByRole('log').getAttribute('aria-busy')).toBe('true');
    await page.close();
    const moving = await browser.newPage({ reducedMotion: 'no-preference' });
    await moving.goto(`${origin}/iframe.html?id=chat-window--waiting-for-first-token&viewMode=story`);
    await moving.locator('.concierge-typing span').first().waitFor();
    expect(await moving.locator('.concierge-typing span').first().evaluate((element) => getComputedStyle(element).animationName)).toBe('concierge-pulse');
    await moving.close();
  });

  it('shows a queued message while offline, with no error', async () => {
    const { page } = await openStory('chat-window--queued-offline');
    await page.getByText('Offline: sends when you are back online').waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
    await page.close();
  });

  it('shows the mobile window full screen', async () => {
    const { page } = await openStory('chat-window--mobile', { width: 375, height: 700 });
    const box = await page.locator('.concierge-window').boundingBox();
    expect(box).toMatchObject({ x: 0, y: 0, width: 375, height: 700 });
    // An on-screen keyboard shrinks the visible viewport; the composer stays in view above it.
    await page.setViewportSize({ width: 375, height: 380 });
    await page.waitForTimeout(100);
    const composer = await page.locator('.concierge-composer').boundingBox();
    expect(composer!.y + composer!.height).toBeLessThanOrEqual(380);
    expect(composer!.y).toBeGreaterThan(0);
    await page.close();
  });
});
