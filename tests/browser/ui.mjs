// Headless browser test of the boussole web client.
//
//   BASE_URL=http://127.0.0.1:8080 node tests/browser/ui.mjs
//
// Env: BASE_URL (required, server root serving the page and /v1), CHROMIUM
// (default /usr/bin/chromium), STEP_TIMEOUT_MS (default 15000),
// SCREENSHOT_DIR (default <repo>/target/screenshots).
// Prints one line per check and ends with `browser: N passed, M failed`;
// exits non-zero on any failure.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const BASE_URL = (process.env.BASE_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const STEP_TIMEOUT = Number(process.env.STEP_TIMEOUT_MS || 15000);
const SHOTS = process.env.SCREENSHOT_DIR || path.resolve(here, '../../target/screenshots');

let passed = 0;
let failed = 0;
let aborted = false;

function withTimeout(promise, ms, name) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`step timed out after ${ms} ms: ${name}`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}

/** Run one check with a timeout; record pass/fail and keep going. */
async function check(name, fn, { critical = false } = {}) {
  if (aborted) {
    failed++;
    console.log(`SKIP(fail) ${name} (an earlier critical step failed)`);
    return false;
  }
  const t0 = Date.now();
  try {
    await withTimeout(Promise.resolve().then(fn), STEP_TIMEOUT, name);
    passed++;
    console.log(`ok   ${name} (${Date.now() - t0} ms)`);
    return true;
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${(e && e.message ? e.message : String(e)).split('\n')[0]}`);
    if (critical) aborted = true;
    return false;
  }
}

function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

async function shot(page, name, fullPage = false) {
  const file = path.join(SHOTS, `${name}.png`);
  if (fullPage) await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: file, fullPage });
  console.log(`     screenshot ${file}`);
}

async function liveText(page) {
  return (await page.locator('#live').textContent()) || '';
}

async function waitForCards(page, root = '#search-out') {
  await page.locator(`${root}[aria-busy="false"] .results .card.result`).first().waitFor({ state: 'visible' });
}

async function typeQuery(page, text) {
  const box = page.locator('#q');
  await box.fill('');
  await box.pressSequentially(text, { delay: 40 });
}

async function phoneFlow(browser) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'fr-FR' });
  context.setDefaultTimeout(STEP_TIMEOUT);
  const page = await context.newPage();
  const jsErrors = [];
  page.on('pageerror', (e) => jsErrors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') jsErrors.push(`console: ${m.text()}`); });
  // Count API requests to check the debounce (one request per pause, not per key).
  const searchRequests = [];
  page.on('request', (r) => { if (r.url().includes('/v1/search?')) searchRequests.push(r.url()); });

  await check('page loads (GET / is 200, html)', async () => {
    const res = await page.goto(`${BASE_URL}/`, { waitUntil: 'load' });
    assert(res && res.status() === 200, `status ${res && res.status()}`);
    assert((res.headers()['content-type'] || '').includes('text/html'), 'content-type is not text/html');
  }, { critical: true });

  await check('html[lang=fr] by default', async () => {
    await page.locator('html[lang="fr"]').waitFor({ state: 'attached' });
  });

  await check('search box is labelled', async () => {
    const box = page.getByLabel('Un métier, une passion, ce que tu aimes faire…', { exact: true });
    await box.waitFor({ state: 'visible' });
    assert(await box.evaluate((el) => el.id === 'q'), 'label does not point to #q');
  }, { critical: true });

  await check('empty state shows suggestion chips', async () => {
    await page.getByRole('button', { name: 'développeur web' }).waitFor({ state: 'visible' });
    assert(await page.locator('.suggestions .chip').count() >= 4, 'fewer than 4 suggestions');
  });
  await shot(page, 'phone-01-home');

  await check('typing "boulanger" shows a card containing "Boulanger"', async () => {
    searchRequests.length = 0;
    await typeQuery(page, 'boulanger');
    await waitForCards(page);
    await page.locator('#search-out .card.result', { hasText: 'Boulanger' }).first().waitFor({ state: 'visible' });
  }, { critical: true });

  await check('search is debounced (fewer requests than keystrokes)', async () => {
    assert(searchRequests.length >= 1 && searchRequests.length < 'boulanger'.length, `${searchRequests.length} requests`);
    assert(searchRequests.every((u) => /[?&]lang=fr(&|$)/.test(u) && /[?&]limit=12(&|$)/.test(u)), 'missing lang=fr / limit=12');
  });

  await check('live region announced a results count', async () => {
    await page.waitForFunction(() => /\d+\s+métiers? trouvés?/.test(document.querySelector('#live').textContent || ''));
  });

  await check('result cards show taxonomy badge and "why it matched"', async () => {
    const card = page.locator('#search-out .card.result').first();
    assert(await card.locator('.badge').count() === 1, 'no badge on the first card');
    const matched = page.locator('#search-out .card.result .matched', { hasText: 'correspond à' });
    assert(await matched.count() > 0, 'no card explains why it matched');
  });
  await shot(page, 'phone-02-results');

  await check('an interest phrased like a teen shows which interest or sentence made it match', async () => {
    await typeQuery(page, "j'kiffe m'occuper des bêtes");
    await page.locator('#search-out .card.result', { hasText: /animal|Toiletteur|Vétérinaire/i }).first().waitFor({ state: 'visible' });
    const reasons = page.locator('#search-out .card.result .matched', { hasText: /centre d’intérêt|ce que fait ce métier|description/ });
    assert(await reasons.count() > 0, 'no card names the interest or sentence behind it');
    await shot(page, 'phone-02b-interest');
    await typeQuery(page, 'boulanger');
    await page.locator('#search-out .card.result', { hasText: 'Boulanger' }).first().waitFor({ state: 'visible' });
  });

  await check('keyboard Enter on first card opens the detail view', async () => {
    const link = page.locator('#search-out .card.result a.card-link').first();
    await link.focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => location.hash.startsWith('#/metier/'));
    await page.locator('#view-detail h1#detail-title').waitFor({ state: 'visible' });
  }, { critical: true });

  await check('detail shows définition and skills', async () => {
    await page.getByRole('heading', { name: 'Définition' }).waitFor({ state: 'visible' });
    await page.getByRole('heading', { name: /Compétences/ }).first().waitFor({ state: 'visible' });
    assert(await page.locator('#view-detail .skill-list li').count() > 0, 'no skill listed');
    const focused = await page.evaluate(() => document.activeElement && document.activeElement.id);
    assert(focused === 'detail-title', `focus is on ${focused}, expected the detail heading`);
  });
  await shot(page, 'phone-03-detail', true);

  await check('back button returns to the results', async () => {
    await page.goBack();
    await page.locator('#view-search').waitFor({ state: 'visible' });
    await waitForCards(page);
    assert(await page.locator('#q').inputValue() === 'boulanger', 'query lost');
    assert(await page.locator('#view-detail').isHidden(), 'detail still visible');
  });

  await check('too-long query shows a message (no request)', async () => {
    searchRequests.length = 0;
    await page.locator('#q').fill('métier '.repeat(40));
    await page.locator('#search-out .state.warn').waitFor({ state: 'visible' });
    assert(searchRequests.length === 0, 'a request was sent for a too-long query');
  });

  await check('switch to English: html[lang=en] and English label', async () => {
    await page.locator('#q').fill('');
    await page.getByRole('button', { name: 'EN' }).click();
    await page.locator('html[lang="en"]').waitFor({ state: 'attached' });
    await page.getByLabel('A job, a passion, what you like doing…', { exact: true }).waitFor({ state: 'visible' });
  });

  await check('English search "web developer" shows a card mentioning "developer"', async () => {
    searchRequests.length = 0;
    await typeQuery(page, 'web developer');
    await waitForCards(page);
    await page.locator('#search-out .card.result', { hasText: /developer/i }).first().waitFor({ state: 'visible' });
    assert(searchRequests.some((u) => /[?&]lang=en(&|$)/.test(u)), 'no request with lang=en');
    await page.waitForFunction(() => /\d+\s+jobs? found/.test(document.querySelector('#live').textContent || ''));
  });
  await shot(page, 'phone-04-en-results');

  await check('profile: add a skill via autocomplete (keyboard) and submit', async () => {
    await page.getByRole('link', { name: 'My profile' }).click();
    await page.locator('#view-profile').waitFor({ state: 'visible' });
    const firstInterest = page.locator('#interests .chip.toggle').first();
    await firstInterest.waitFor({ state: 'visible' });
    await firstInterest.click();
    assert(await firstInterest.getAttribute('aria-pressed') === 'true', 'interest not toggled');
    const combo = page.getByRole('combobox', { name: 'What I can do' });
    await combo.click();
    await combo.pressSequentially('cook', { delay: 40 });
    await page.locator('#skill-list [role="option"]').first().waitFor({ state: 'visible' });
    assert(await combo.getAttribute('aria-expanded') === 'true', 'combobox not expanded');
    await combo.press('ArrowDown');
    const active = await combo.getAttribute('aria-activedescendant');
    assert(active, 'no aria-activedescendant after ArrowDown');
    const optText = ((await page.locator(`#${active} span`).first().textContent()) || '').trim();
    await combo.press('Enter');
    await page.locator('#skill-chips .chip').first().waitFor({ state: 'visible' });
    const chipText = (await page.locator('#skill-chips .chip').first().textContent()) || '';
    assert(optText && chipText.includes(optText), `chip "${chipText}" vs option "${optText}"`);
    assert(await combo.getAttribute('aria-expanded') === 'false', 'listbox still open after Enter');
    await page.locator('#free-text').fill('I like cooking for people');
    const [req] = await Promise.all([
      page.waitForRequest((r) => r.url().endsWith('/v1/match') && r.method() === 'POST'),
      page.getByRole('button', { name: 'Find my jobs' }).click(),
    ]);
    const body = JSON.parse(req.postData() || '{}');
    assert(body.lang === 'en' && Array.isArray(body.skills) && body.skills.length === 1 && body.interests.length === 1, `bad body ${req.postData()}`);
    await waitForCards(page, '#profile-out');
  });
  await shot(page, 'phone-05-profile', true);

  await check('no JavaScript errors on the page', async () => {
    const real = jsErrors.filter((e) => !/favicon/.test(e));
    assert(real.length === 0, real.join(' | '));
  });
  await context.close();
}

async function desktopFlow(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'fr-FR' });
  context.setDefaultTimeout(STEP_TIMEOUT);
  const page = await context.newPage();
  await check('desktop: home renders', async () => {
    await page.goto(`${BASE_URL}/`, { waitUntil: 'load' });
    await page.locator('.suggestions .chip').first().waitFor({ state: 'visible' });
  });
  await shot(page, 'desktop-01-home');
  await check('desktop: suggestion chip searches and shows cards', async () => {
    await page.getByRole('button', { name: 'développeur web' }).click();
    await waitForCards(page);
    assert(await page.locator('#q').inputValue() === 'développeur web', 'chip did not fill the box');
  });
  await shot(page, 'desktop-02-results');
  await check('desktop: card click opens detail, back link returns', async () => {
    await page.locator('#search-out .card.result').first().click();
    await page.locator('#view-detail h1#detail-title').waitFor({ state: 'visible' });
    await shot(page, 'desktop-03-detail', true);
    await page.locator('#back-link').click();
    await waitForCards(page);
  });
  await check('desktop: profile tab renders interests', async () => {
    await page.getByRole('link', { name: 'Mon profil' }).click();
    await page.locator('#interests .chip.toggle').first().waitFor({ state: 'visible' });
  });
  await shot(page, 'desktop-04-profile');
  await context.close();
}

async function main() {
  fs.mkdirSync(SHOTS, { recursive: true });
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'boussole-chromium-'));
  let browser;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      timeout: 60000,
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
      ],
      // Playwright refuses --user-data-dir in args for launch(); it always
      // starts from a fresh temporary profile. Keep its temp files in ours.
      env: { ...process.env, TMPDIR: userDataDir },
    });
  } catch (e) {
    failed++;
    console.log(`FAIL launch chromium (${CHROMIUM}): ${e.message.split('\n')[0]}`);
  }
  if (browser) {
    try {
      await phoneFlow(browser);
      aborted = false;
      await desktopFlow(browser);
    } catch (e) {
      failed++;
      console.log(`FAIL unexpected error: ${e && e.stack ? e.stack : e}`);
    } finally {
      await browser.close().catch(() => {});
    }
  }
  fs.rmSync(userDataDir, { recursive: true, force: true });
  console.log(`browser: ${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main();
