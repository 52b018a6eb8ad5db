// Headless browser test of the boussole web client.
//
//   BASE_URL=http://127.0.0.1:8080 node tests/browser/ui.mjs
//
// Env: BASE_URL (required, server root serving the page and /v1), CHROMIUM
// (default /usr/bin/chromium), STEP_TIMEOUT_MS (default 15000),
// SCREENSHOT_DIR (default <repo>/target/screenshots), DOCS_SCREENSHOTS (a folder:
// also save the README's screenshots there, e.g. docs/screenshots).
// Prints one line per check and ends with `browser: N passed, M failed`;
// exits non-zero on any failure.
//
// Flows: phone (search, detail, back, English, profile), desktop, mobile layout (every view at
// 320, 390 and 430 px: no horizontal scroll, 44-px touch targets), shortlist (star, reload,
// share link in a fresh context, unknown ids, remove, corrupt storage), questionnaire ("je ne
// sais pas quoi chercher": end to end by keyboard only, then its screens at 320/390/430 px),
// facets (refinement chips by keyboard and by touch, exclusions from the query's intent, filters
// kept in the hash, the "pas d'idée précise ?" banner, working conditions and entry level on a
// detail page: mostly against page.route mocks of the API, so ranking does not matter; and the
// chips of the fixture index's own answer, recomputed from it), page weight (the first load on
// the wire, compressed, at most 50 KB).
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

  await check('every text of the page exists in every language, with the same kind of value', async () => {
    const missing = await page.evaluate(async () => {
      const { LANGS, MESSAGES } = await import('/static/js/i18n.js');
      const kind = (v) => (Array.isArray(v) ? 'array' : typeof v);
      return Object.entries(MESSAGES)
        .filter(([, m]) => !LANGS.every((l) => l in m && kind(m[l]) === kind(m[LANGS[0]])))
        .map(([key]) => key);
    });
    assert(missing.length === 0, `incomplete: ${missing.join(', ')}`);
  });

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

// ---------------------------------------------------------------- mobile layout

const WIDTHS = [320, 390, 430];
const ESCO_BAKER = 'http://data.europa.eu/esco/occupation/1aadb308-432a-4d01-b54b-b4f7f76dd419';
// The longest ESCO label of the fixtures: slash-joined words with no space to break at.
const ESCO_LONG = 'http://data.europa.eu/esco/occupation/02f1ae71-f89c-47b7-af2c-50d7ab1d9b8a';
const escoHash = (uri) => `#/metier/esco/${encodeURIComponent(uri)}`;
const MIN_TARGET = 44;

/**
 * Horizontal overflow and touch targets of the page as it is. Targets: buttons, links,
 * summaries, text fields, listbox options and the labels of visually hidden radios; each must
 * be at least 44×44 CSS px. Not measured: what is visually hidden (.sr-only, the skip link
 * until focused, the radios themselves). A result card's title link is measured as the card,
 * which its ::after covers (the whole card is its target).
 */
async function layoutAudit(page) {
  return page.evaluate((min) => {
    const de = document.documentElement;
    const describe = (el, r) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).join('.')}` : ''} "${(el.getAttribute('aria-label') || el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 40)}" ${Math.round(r.width)}×${Math.round(r.height)}`;
    const hidden = (el) => el.closest('.sr-only, .skip');
    const wide = [];
    for (const el of document.querySelectorAll('body *')) {
      if (hidden(el)) continue;
      const r = el.getBoundingClientRect();
      if (r.width && r.height && (r.right > de.clientWidth + 0.5 || r.left < -0.5)) wide.push(describe(el, r));
    }
    const small = [];
    const targets = 'button, a[href], summary, input:not([type="radio"]):not([type="checkbox"]):not([type="hidden"]), textarea, select, [role="option"], .seg label, .scale-opt label';
    let count = 0;
    for (const el of document.querySelectorAll(targets)) {
      if (hidden(el)) continue;
      let r = el.getBoundingClientRect();
      if (!r.width || !r.height) continue; // not rendered (hidden view, closed <details>, closed listbox)
      if (el.matches('.card-link') && el.closest('.card')) r = el.closest('.card').getBoundingClientRect();
      count++;
      if (r.height < min - 0.5 || r.width < min - 0.5) small.push(describe(el, r));
    }
    return { scrollWidth: de.scrollWidth, clientWidth: de.clientWidth, wide: wide.slice(0, 3), small, count };
  }, MIN_TARGET);
}

async function assertMobileLayout(page, what) {
  const a = await layoutAudit(page);
  assert(a.scrollWidth === a.clientWidth, `${what}: horizontal scroll (scrollWidth ${a.scrollWidth} > clientWidth ${a.clientWidth}): ${a.wide.join('; ')}`);
  assert(a.count > 0, `${what}: no interactive element measured`);
  assert(a.small.length === 0, `${what}: ${a.small.length} touch target(s) under ${MIN_TARGET} px: ${a.small.slice(0, 4).join('; ')}`);
}

async function mobileFlow(browser) {
  for (const width of WIDTHS) {
    const context = await browser.newContext({ viewport: { width, height: 780 }, isMobile: true, hasTouch: true, locale: 'fr-FR' });
    context.setDefaultTimeout(STEP_TIMEOUT);
    const page = await context.newPage();
    const jsErrors = [];
    page.on('pageerror', (e) => jsErrors.push(e.message));
    const go = async (hash, ready) => {
      await page.goto(`${BASE_URL}/${hash}`, { waitUntil: 'load' });
      await page.locator(ready).first().waitFor({ state: 'visible' });
    };

    await check(`${width}px: home`, async () => {
      await go('#/', '.suggestions .chip');
      await assertMobileLayout(page, 'home');
    });
    await check(`${width}px: results`, async () => {
      await go('#/?q=boulanger', '#search-out[aria-busy="false"] .card.result');
      await assertMobileLayout(page, 'results');
    });
    await check(`${width}px: profile`, async () => {
      await go('#/profil', '#interests .chip.toggle');
      await assertMobileLayout(page, 'profile');
    });
    await check(`${width}px: detail ROME (D1102, related occupations)`, async () => {
      await go('#/metier/rome/D1102', '#detail-title');
      await page.locator('#view-detail .related-link').first().waitFor({ state: 'visible' });
      await assertMobileLayout(page, 'detail rome/D1102');
    });
    await check(`${width}px: detail ESCO (boulanger, long URI links)`, async () => {
      await go(escoHash(ESCO_BAKER), '#detail-title');
      await assertMobileLayout(page, 'detail esco boulanger');
    });
    await check(`${width}px: detail ESCO with the longest label`, async () => {
      await go(escoHash(ESCO_LONG), '#detail-title');
      // Displayed compactly ("Formateur / Formatrice «…»"), it keeps a slash-joined run with no space.
      assert(((await page.locator('#detail-title').textContent()) || '').includes('l’illettrisme/français'), 'not the long label');
      await assertMobileLayout(page, 'detail esco long label');
    });
    await check(`${width}px: interests picked, skill suggestions open, match results`, async () => {
      await go('#/profil', '#interests .chip.toggle');
      const chips = page.locator('#interests .chip.toggle');
      for (const i of [0, 3, 5]) await chips.nth(i).click();
      const combo = page.locator('#skill-input');
      await combo.click();
      await combo.pressSequentially('cuisi', { delay: 30 });
      await page.locator('#skill-list [role="option"]').first().waitFor({ state: 'visible' });
      await assertMobileLayout(page, 'interests + skill listbox');
      await combo.press('ArrowDown');
      await combo.press('Enter');
      await page.locator('#skill-chips .chip').first().waitFor({ state: 'visible' });
      await page.locator('#profile-submit').click();
      await waitForCards(page, '#profile-out');
      await assertMobileLayout(page, 'interests + match results');
    });
    await check(`${width}px: shortlist and shared link (with an unknown id)`, async () => {
      await go('#/?q=boulanger', '#search-out[aria-busy="false"] .card.result');
      await page.locator('#search-out .card.result .star').nth(0).click();
      await page.locator('#search-out .card.result .star').nth(1).click();
      await go('#/selection', '#share-url');
      assert(await page.locator('#selection-out .card.result').count() === 2, 'shortlist does not show 2 cards');
      await assertMobileLayout(page, 'shortlist');
      await go(`#/selection?ids=rome:D1102,esco:${ESCO_LONG},esco:http://data.europa.eu/esco/occupation/00000000-0000-0000-0000-000000000000`, '#selection-out .unknown');
      await page.locator('#selection-out .card.result').first().waitFor({ state: 'visible' });
      await assertMobileLayout(page, 'shared shortlist');
    });
    await check(`${width}px: no JavaScript errors`, async () => {
      assert(jsErrors.length === 0, jsErrors.join(' | '));
    });
    await context.close();
  }
}

// ---------------------------------------------------------------- shortlist

const SHORTLIST_KEY = 'boussole.shortlist.v1';

async function shortlistFlow(browser) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'fr-FR' });
  context.setDefaultTimeout(STEP_TIMEOUT);
  const page = await context.newPage();
  const jsErrors = [];
  page.on('pageerror', (e) => jsErrors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') jsErrors.push(`console: ${m.text()}`); });
  const count = async (p = page) => ((await p.locator('#selection-count').isVisible()) ? Number(await p.locator('#selection-count').textContent()) : 0);
  let shareUrl = '';

  await check('shortlist: empty at first, with a clear message', async () => {
    await page.goto(`${BASE_URL}/#/selection`, { waitUntil: 'load' });
    await page.locator('#selection-out .state.empty').waitFor({ state: 'visible' });
    assert(await count() === 0, 'tab shows a count');
  }, { critical: true });

  await check('shortlist: star a result card (toggle button with aria-pressed)', async () => {
    await page.locator('#q').waitFor({ state: 'attached' });
    await page.goto(`${BASE_URL}/#/?q=boulanger`);
    await waitForCards(page);
    const star = page.getByRole('button', { name: 'Garder « Boulanger / Boulangère » dans ma sélection' });
    assert(await star.getAttribute('aria-pressed') === 'false', 'star pressed before click');
    await star.click();
    assert(await star.getAttribute('aria-pressed') === 'true', 'star not pressed after click');
    await page.waitForFunction(() => /ajouté à ta sélection/.test(document.querySelector('#live').textContent || ''));
    assert(await count() === 1, `tab count ${await count()}`);
  }, { critical: true });

  await check('shortlist: star on the detail page (ESCO)', async () => {
    await page.goto(`${BASE_URL}/${escoHash(ESCO_LONG)}`);
    await page.locator('#detail-title').waitFor({ state: 'visible' });
    const star = page.locator('#view-detail .star-btn');
    assert(await star.getAttribute('aria-pressed') === 'false', 'already pressed');
    await star.focus();
    await page.keyboard.press('Enter'); // keyboard works
    assert(await star.getAttribute('aria-pressed') === 'true', 'not pressed after Enter');
    assert(await count() === 2, `tab count ${await count()}`);
  }, { critical: true });

  await check('shortlist: survives a reload (localStorage, versioned key)', async () => {
    await page.reload({ waitUntil: 'load' });
    await page.locator('#detail-title').waitFor({ state: 'visible' });
    assert(await page.locator('#view-detail .star-btn').getAttribute('aria-pressed') === 'true', 'detail star lost');
    const stored = JSON.parse(await page.evaluate((k) => localStorage.getItem(k), SHORTLIST_KEY));
    assert(stored.version === 1 && stored.items.length === 2, `stored ${JSON.stringify(stored)}`);
    await page.getByRole('link', { name: /Ma sélection/ }).click();
    await page.locator('#selection-out .card.result').nth(1).waitFor({ state: 'visible' });
    assert(await page.locator('#selection-out .card.result').count() === 2, 'not 2 cards');
    await page.locator('#selection-out .card.result', { hasText: 'Boulanger' }).waitFor({ state: 'visible' });
    await page.locator('#selection-out .card.result', { hasText: 'illettrisme' }).waitFor({ state: 'visible' });
  }, { critical: true });
  await shot(page, 'phone-06-shortlist', true);

  await check('shortlist: share link names both métiers', async () => {
    shareUrl = await page.locator('#share-url').inputValue();
    const u = new URL(shareUrl);
    assert(u.origin === new URL(BASE_URL).origin, `link origin ${u.origin}`);
    const m = /^#\/selection\?ids=(.+)$/.exec(u.hash);
    assert(m, `link hash ${u.hash}`);
    const ids = decodeURIComponent(m[1]).split(',');
    assert(ids.length === 2 && ids[0] === 'rome:D1102' && ids[1] === `esco:${ESCO_LONG}`, `ids ${ids}`);
  });

  await check('shortlist: a card opens the detail page; its back link returns to the list, focus on that card', async () => {
    const link = page.locator('#selection-out .card-link').nth(1);
    const href = await link.getAttribute('href');
    await link.click();
    await page.locator('#detail-title').waitFor({ state: 'visible' });
    assert(((await page.locator('#back-link').textContent()) || '').includes('Retour à ma sélection'), 'back link label');
    await page.locator('#back-link').click();
    await page.locator('#view-selection').waitFor({ state: 'visible' });
    await page.waitForFunction((h) => document.activeElement && document.activeElement.getAttribute('href') === h, href);
  });

  await check('shortlist: the link opens in a fresh context (no localStorage), unknown id as a message', async () => {
    const other = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'fr-FR' });
    other.setDefaultTimeout(STEP_TIMEOUT);
    const p2 = await other.newPage();
    const errors = [];
    p2.on('pageerror', (e) => errors.push(e.message));
    try {
      await p2.goto(`${shareUrl},rome:Z9999,nonsense`, { waitUntil: 'load' });
      await p2.locator('#selection-out .card.result').nth(1).waitFor({ state: 'visible' });
      assert(await p2.locator('#selection-out .card.result').count() === 2, 'shared list does not show 2 cards');
      assert(await p2.evaluate((k) => localStorage.getItem(k), SHORTLIST_KEY) === null, 'fresh context has a stored list');
      const unknown = p2.locator('#selection-out .unknown');
      await unknown.waitFor({ state: 'visible' });
      const text = (await unknown.textContent()) || '';
      assert(/2 métiers de ce lien sont introuvables/.test(text) && text.includes('rome:Z9999') && text.includes('nonsense'), `unknown message: ${text}`);
      await shot(p2, 'phone-07-shared', true);
      await p2.locator('#shared-add-all').click();
      await p2.waitForFunction(() => document.querySelector('#selection-count') && document.querySelector('#selection-count').textContent === '2');
      assert(errors.length === 0, errors.join(' | '));
    } finally {
      await other.close();
    }
  });

  await check('shortlist: remove one, focus stays in the list, still removed after reload', async () => {
    const remove = page.getByRole('button', { name: 'Retirer « Boulanger / Boulangère » de ma sélection' });
    await remove.click();
    await page.waitForFunction(() => document.querySelectorAll('#selection-out .card.result').length === 1);
    assert(await count() === 1, `tab count ${await count()}`);
    const focused = await page.evaluate(() => document.activeElement && document.activeElement.classList.contains('remove'));
    assert(focused, 'focus is not on the remaining remove button');
    await page.reload({ waitUntil: 'load' });
    await page.locator('#selection-out .card.result').first().waitFor({ state: 'visible' });
    assert(await page.locator('#selection-out .card.result').count() === 1, 'removed item came back');
  });

  await check('shortlist: corrupt stored JSON is ignored, starring works again', async () => {
    await page.evaluate((k) => localStorage.setItem(k, '{"version":1,"items":[{"taxonomy":"rome"'), SHORTLIST_KEY);
    await page.reload({ waitUntil: 'load' });
    await page.locator('#selection-out .state.empty').waitFor({ state: 'visible' });
    await page.goto(`${BASE_URL}/#/metier/rome/D1102`);
    await page.locator('#view-detail .star-btn').click();
    const stored = JSON.parse(await page.evaluate((k) => localStorage.getItem(k), SHORTLIST_KEY));
    assert(stored.items.length === 1 && stored.items[0].code === 'D1102', `stored ${JSON.stringify(stored)}`);
  });

  await check('shortlist: no JavaScript errors', async () => {
    assert(jsErrors.length === 0, jsErrors.join(' | '));
  });
  await context.close();
}

// ---------------------------------------------------------------- README screenshots

const DOCS_MAX_BYTES = 200 * 1024;

/** The README's screenshots (DOCS_SCREENSHOTS=folder): home, results, detail, shortlist; desktop and 390-px phone. */
async function docsScreenshots(browser, dir) {
  fs.mkdirSync(dir, { recursive: true });
  const sizes = [
    ['desktop', { viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 }],
    ['phone', { viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true }],
  ];
  for (const [name, options] of sizes) {
    const context = await browser.newContext({ ...options, locale: 'fr-FR', reducedMotion: 'reduce' });
    context.setDefaultTimeout(STEP_TIMEOUT);
    const page = await context.newPage();
    const save = async (what) => {
      const file = path.join(dir, `${name}-${what}.png`);
      // No hover or focus ring left from the clicks that led here.
      await page.mouse.move(0, 0);
      await page.evaluate(() => document.activeElement && document.activeElement.blur && document.activeElement.blur());
      await page.screenshot({ path: file });
      const bytes = fs.statSync(file).size;
      console.log(`     docs screenshot ${file} (${Math.round(bytes / 1024)} KB)${bytes > DOCS_MAX_BYTES ? ' — over 200 KB' : ''}`);
    };
    await check(`docs screenshots (${name})`, async () => {
      await page.goto(`${BASE_URL}/#/`, { waitUntil: 'load' });
      await page.locator('.suggestions .chip').first().waitFor({ state: 'visible' });
      await save('home');

      await typeQuery(page, "j'aime les animaux");
      await waitForCards(page);
      await page.locator('#search-out .card.result .star').nth(0).click();
      await page.locator('#search-out .card.result .star').nth(2).click();
      await page.locator('#live').evaluate((el) => { el.textContent = ''; });
      await page.evaluate(() => {
        const form = document.querySelector('#search-form');
        window.scrollTo(0, form.getBoundingClientRect().top + window.scrollY - document.querySelector('.top').offsetHeight - 8);
      });
      await save('results');

      await page.goto(`${BASE_URL}/#/metier/rome/D1102`);
      await page.locator('#detail-title').waitFor({ state: 'visible' });
      await page.locator('#view-detail .star-btn').click();
      await page.evaluate(() => window.scrollTo(0, 0));
      await save('detail');

      await page.goto(`${BASE_URL}/#/selection`);
      await page.locator('#selection-out .card.result').nth(2).waitFor({ state: 'visible' });
      await page.evaluate(() => window.scrollTo(0, 0));
      await save('shortlist');
    });
    await context.close();
  }
}

// ---------------------------------------------------------------- questionnaire

const QUIZ_KEY = 'boussole.quiz.v1';
const QUIZ_ITEMS = 18;
/** The type of each statement, in order (the six RIASEC types in turn). */
const QUIZ_TYPES = 'RIASECRIASECRIASEC';
/** The answer (0 "pas du tout" … 3 "beaucoup") the keyboard test gives per type. */
const QUIZ_ANSWER = { R: 0, I: 1, A: 3, S: 3, E: 2, C: 0 };

/** Presses Tab (Shift+Tab with `back`) until `selector` has focus. */
async function tabTo(page, selector, { back = false, max = 40 } = {}) {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((sel) => !!document.activeElement && document.activeElement.matches(sel), selector)) return;
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(`${selector} not reached with ${back ? 'Shift+Tab' : 'Tab'}`);
}

const focusedRadio = (page) => page.evaluate(() => {
  const el = document.activeElement;
  return el && el.type === 'radio' ? { value: el.value, checked: el.checked } : null;
});

/** Answers the question on screen by keyboard: Space on the first answer, arrows to `value`. */
async function answerByKeyboard(page, value) {
  const r = await focusedRadio(page);
  assert(r, `focus is not on an answer (${await page.evaluate(() => document.activeElement && document.activeElement.outerHTML.slice(0, 80))})`);
  await page.keyboard.press('Space');
  for (let i = 0; i < value; i++) await page.keyboard.press('ArrowRight');
  const now = await focusedRadio(page);
  assert(now && now.checked && now.value === String(value), `answer ${JSON.stringify(now)}, wanted ${value}`);
}

async function quizFlow(browser) {
  // Desktop, keyboard only: no click, no tap, from the home page to a métier and back.
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'fr-FR' });
  context.setDefaultTimeout(STEP_TIMEOUT);
  const page = await context.newPage();
  const jsErrors = [];
  page.on('pageerror', (e) => jsErrors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') jsErrors.push(`console: ${m.text()}`); });
  const matchBodies = [];
  page.on('request', (r) => { if (r.url().endsWith('/v1/match') && r.method() === 'POST') matchBodies.push(JSON.parse(r.postData() || '{}')); });

  await check('quiz: home shows "Je ne sais pas quoi chercher", reached and opened by keyboard', async () => {
    await page.goto(`${BASE_URL}/#/`, { waitUntil: 'load' });
    await page.locator('#quiz-cta-home').waitFor({ state: 'visible' });
    assert((await page.locator('#quiz-cta-home').textContent()).includes('Je ne sais pas quoi chercher'), 'CTA text');
    await page.locator('body').focus();
    await tabTo(page, '#quiz-cta-home');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => location.hash === '#/quiz');
    await page.locator('#quiz-start').waitFor({ state: 'visible' });
    assert(await page.evaluate(() => document.activeElement && document.activeElement.id) === 'quiz-title', 'focus is not on the questionnaire heading');
    assert(/2 minutes/.test(await page.locator('#view-quiz').textContent()), 'the intro says how long it takes');
  }, { critical: true });

  await check('quiz: 18 questions answered with Tab, Space, arrows and Enter; progress shown; back keeps the answer', async () => {
    await tabTo(page, '#quiz-start');
    await page.keyboard.press('Enter');
    for (let i = 0; i < QUIZ_ITEMS; i++) {
      await page.locator('#quiz-progress', { hasText: `Question ${i + 1} sur ${QUIZ_ITEMS}` }).waitFor({ state: 'visible' });
      const legend = (await page.locator('#quiz-statement').textContent()) || '';
      assert(legend.includes('Ça te plairait de'), `statement ${i + 1}: ${legend}`);
      assert(await page.locator('#quiz-form input[type="radio"]').count() === 4, 'four answers');
      await answerByKeyboard(page, QUIZ_ANSWER[QUIZ_TYPES[i]]);
      if (i === 1) {
        // Back to question 1 with the "Précédent" button: its answer is kept and focused.
        await tabTo(page, '#quiz-prev');
        await page.keyboard.press('Enter');
        await page.locator('#quiz-progress', { hasText: `Question 1 sur ${QUIZ_ITEMS}` }).waitFor({ state: 'visible' });
        const r = await focusedRadio(page);
        assert(r && r.checked && r.value === String(QUIZ_ANSWER.R), `question 1 answer lost: ${JSON.stringify(r)}`);
        await page.keyboard.press('Enter');
        await page.locator('#quiz-progress', { hasText: `Question 2 sur ${QUIZ_ITEMS}` }).waitFor({ state: 'visible' });
        const r2 = await focusedRadio(page);
        assert(r2 && r2.checked && r2.value === String(QUIZ_ANSWER.I), `question 2 answer lost: ${JSON.stringify(r2)}`);
      }
      // Enter on the chosen answer goes on (to the result after the last one).
      await page.keyboard.press('Enter');
    }
  }, { critical: true });

  await check('quiz: the result explains the profile in plain words and lists métiers', async () => {
    const title = page.locator('#quiz-result-title');
    await title.waitFor({ state: 'visible' });
    assert(await page.evaluate(() => document.activeElement && document.activeElement.id) === 'quiz-result-title', 'focus is not on the result heading');
    assert(((await title.textContent()) || '').includes('Ton profil : Artistique, Social et Entreprenant'), `heading: ${await title.textContent()}`);
    const types = page.locator('.quiz-types .quiz-type');
    assert(await types.count() === 3, `${await types.count()} types explained`);
    assert(((await types.nth(0).textContent()) || '').includes('Tu aimes créer'), 'Artistique is not explained');
    assert(((await types.nth(1).textContent()) || '').includes('aider, écouter'), 'Social is not explained');
    assert(/pistes, pas des verdicts/.test(await page.locator('#view-quiz .quiz-note').textContent()), 'no "pistes, pas des verdicts"');
    await waitForCards(page, '#quiz-out');
    assert(await page.locator('#quiz-out .card.result').count() >= 5, 'fewer than 5 métiers');
    const first = page.locator('#quiz-out .card.result').first();
    assert(((await first.textContent()) || '').includes('Musicien'), `first métier: ${await first.textContent()}`);
    assert(await first.locator('.matched', { hasText: 'ton profil' }).count() === 1, 'the card does not say it fits the profile');
    const body = matchBodies[matchBodies.length - 1];
    assert(body && body.riasec && body.riasec.A === 1 && body.riasec.S === 1 && body.riasec.R === 0
      && Math.abs(body.riasec.E - 2 / 3) < 0.01 && Math.abs(body.riasec.I - 1 / 3) < 0.01, `match body ${JSON.stringify(body)}`);
    await shot(page, 'quiz-desktop-result', true);
  });

  await check('quiz: a métier opened by keyboard, and back: the results stay, focus returns', async () => {
    await tabTo(page, '#quiz-out .card.result a.card-link');
    const href = await page.evaluate(() => document.activeElement.getAttribute('href'));
    await page.keyboard.press('Enter');
    await page.locator('#view-detail h1#detail-title').waitFor({ state: 'visible' });
    assert(((await page.locator('#back-link').textContent()) || '').includes('profil d’intérêts'), `back link: ${await page.locator('#back-link').textContent()}`);
    await page.locator('#back-link').focus();
    await page.keyboard.press('Enter');
    await page.locator('#view-quiz #quiz-result-title').waitFor({ state: 'visible' });
    await waitForCards(page, '#quiz-out');
    await page.waitForFunction((h) => document.activeElement && document.activeElement.getAttribute('href') === h, href);
  });

  await check('quiz: the answers stay on the device (reload shows the result again)', async () => {
    const saved = await page.evaluate((k) => JSON.parse(localStorage.getItem(k) || 'null'), QUIZ_KEY);
    assert(saved && saved.done && saved.answers.length === QUIZ_ITEMS && saved.answers[2] === 3, `stored ${JSON.stringify(saved)}`);
    await page.reload({ waitUntil: 'load' });
    await page.locator('#quiz-result-title').waitFor({ state: 'visible' });
    await waitForCards(page, '#quiz-out');
  });

  await check('quiz: stopping early gives pistes from the answers so far', async () => {
    await tabTo(page, '#quiz-again');
    await page.keyboard.press('Enter');
    await page.locator('#quiz-progress', { hasText: 'Question 1 sur' }).waitFor({ state: 'visible' });
    for (const v of [3, 0, 0, 3]) { await answerByKeyboard(page, v); await page.keyboard.press('Enter'); }
    await page.locator('#quiz-progress', { hasText: 'Question 5 sur' }).waitFor({ state: 'visible' });
    await tabTo(page, '#quiz-stop');
    await page.keyboard.press('Enter');
    await page.locator('#quiz-result-title', { hasText: 'Réaliste' }).waitFor({ state: 'visible' });
    assert(/4 questions sur 18/.test(await page.locator('.quiz-partial').textContent()), 'partial answers are not said');
    await waitForCards(page, '#quiz-out');
  });

  await check('quiz: English', async () => {
    await page.locator('.lang-btn[data-lang="en"]').focus();
    await page.keyboard.press('Enter');
    await page.locator('#quiz-result-title', { hasText: 'Your profile: Realistic' }).waitFor({ state: 'visible' });
    await page.locator('#quiz-out .card.result .matched', { hasText: 'your profile' }).first().waitFor({ state: 'visible' });
    await page.locator('.lang-btn[data-lang="fr"]').focus();
    await page.keyboard.press('Enter');
    await page.locator('html[lang="fr"]').waitFor({ state: 'attached' });
  });

  await check('quiz: no JavaScript errors', async () => {
    assert(jsErrors.length === 0, jsErrors.join(' | '));
  });
  await context.close();

  // Phones: every screen of the questionnaire without horizontal scroll, 44-px targets.
  for (const width of WIDTHS) {
    const phone = await browser.newContext({ viewport: { width, height: 780 }, isMobile: true, hasTouch: true, locale: 'fr-FR' });
    phone.setDefaultTimeout(STEP_TIMEOUT);
    const p = await phone.newPage();
    await check(`${width}px: questionnaire entry on home and profile, intro, a question, the result`, async () => {
      await p.goto(`${BASE_URL}/#/profil`, { waitUntil: 'load' });
      await p.locator('#quiz-cta-profile').waitFor({ state: 'visible' });
      await p.goto(`${BASE_URL}/#/quiz`, { waitUntil: 'load' });
      await p.locator('#quiz-start').waitFor({ state: 'visible' });
      await assertMobileLayout(p, 'quiz intro');
      await p.locator('#quiz-start').click();
      await p.locator('#quiz-form label').nth(3).click();
      await assertMobileLayout(p, 'quiz question');
      const answers = Array.from({ length: QUIZ_ITEMS }, (_, i) => QUIZ_ANSWER[QUIZ_TYPES[i]]);
      await p.evaluate(([k, a]) => localStorage.setItem(k, JSON.stringify({ answers: a, index: 17, done: true })), [QUIZ_KEY, answers]);
      await p.reload({ waitUntil: 'load' });
      await waitForCards(p, '#quiz-out');
      await assertMobileLayout(p, 'quiz result');
    });
    await phone.close();
  }
}

// ---------------------------------------------------------------- one card per métier, skills, ONISEP

const KNEADING = 'Pétrir manuellement ou mécaniquement des pâtes';

/** One card per métier (no ROME/ESCO duplicates), skill coverage on a detail page after a profile, the ONISEP link. */
async function cardsFlow(browser) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'fr-FR' });
  context.setDefaultTimeout(STEP_TIMEOUT);
  const page = await context.newPage();
  const jsErrors = [];
  page.on('pageerror', (e) => jsErrors.push(`pageerror: ${e.message}`));
  const cards = async (root) => page.locator(`${root} .card.result`).evaluateAll((els) => els.map((el) => {
    const a = el.querySelector('a.card-link');
    const equiv = el.querySelector('.equiv');
    return { href: a ? a.getAttribute('href') : '', title: a ? a.textContent : '', equiv: equiv ? equiv.textContent : '' };
  }));

  await check('métier cards: one card for the ROME fiche and its ESCO equivalent (search)', async () => {
    const [req] = await Promise.all([
      page.waitForRequest((r) => r.url().includes('/v1/search?')),
      page.goto(`${BASE_URL}/#/?q=boulanger`, { waitUntil: 'load' }),
    ]);
    assert(new URL(req.url()).searchParams.get('group') === 'metier', `search not grouped: ${req.url()}`);
    await waitForCards(page);
    const found = await cards('#search-out');
    const fiche = found.find((c) => c.href === '#/metier/rome/D1102');
    assert(fiche, `no D1102 card: ${JSON.stringify(found)}`);
    assert(!found.some((c) => c.href === escoHash(ESCO_BAKER)), 'the ESCO baker still has its own card');
    assert(/ESCO/.test(fiche.equiv) && /Boulanger \/ Boulangère/.test(fiche.equiv), `equivalent not shown: "${fiche.equiv}"`);
    const titles = found.map((c) => c.title.trim().toLowerCase());
    assert(new Set(titles).size === titles.length, `duplicate card titles: ${titles.join(' | ')}`);
    await assertMobileLayout(page, 'grouped results');
  });
  await shot(page, 'cards-01-grouped');

  await check('métier cards: the filter "ESCO" still shows ESCO occupations only', async () => {
    await page.locator('label[for="tax-esco"]').click();
    await waitForCards(page);
    await page.waitForFunction(() => [...document.querySelectorAll('#search-out .card.result a.card-link')].every((a) => a.getAttribute('href').startsWith('#/metier/esco/')));
    const found = await cards('#search-out');
    assert(found.some((c) => c.href === escoHash(ESCO_BAKER)), `no ESCO baker: ${JSON.stringify(found)}`);
  });

  await check('skills covered and to learn on a detail page after setting a profile', async () => {
    await page.goto(`${BASE_URL}/#/profil`, { waitUntil: 'load' });
    const combo = page.locator('#skill-input');
    await combo.click();
    await combo.pressSequentially('Pétrir manuellement', { delay: 30 });
    const option = page.locator('#skill-list [role="option"]', { hasText: KNEADING }).first();
    await option.waitFor({ state: 'visible' });
    await option.click();
    await page.locator('#skill-chips .chip', { hasText: KNEADING }).waitFor({ state: 'visible' });
    const [req] = await Promise.all([
      page.waitForRequest((r) => r.url().endsWith('/v1/match') && r.method() === 'POST'),
      page.locator('#profile-submit').click(),
    ]);
    assert(JSON.parse(req.postData() || '{}').group === 'metier', `match not grouped: ${req.postData()}`);
    await waitForCards(page, '#profile-out');
    const found = await cards('#profile-out');
    assert(!found.some((c) => c.href === escoHash(ESCO_BAKER)) || !found.some((c) => c.href === '#/metier/rome/D1102'), 'ROME and ESCO baker both have a card');
    const [detailReq] = await Promise.all([
      page.waitForRequest((r) => r.url().includes('/v1/occupations/rome/D1102')),
      page.locator('#profile-out a.card-link[href="#/metier/rome/D1102"]').click(),
    ]);
    assert(new URL(detailReq.url()).searchParams.getAll('skill').includes(KNEADING), `no skill= in ${detailReq.url()}`);
    const coverage = page.locator('#coverage');
    await coverage.waitFor({ state: 'visible' });
    const text = (await coverage.textContent()) || '';
    assert(text.includes('Ce que tu sais déjà faire') && text.includes('Ce que tu apprendrais'), `headings: ${text.slice(0, 200)}`);
    const covered = await page.locator('#coverage .skill-list.covered li').allTextContents();
    assert(covered.includes(KNEADING), `covered: ${covered.join(' | ')}`);
    const toLearn = await page.locator('#coverage .skill-list.to-learn li').allTextContents();
    assert(toLearn.length > 0 && !toLearn.includes(KNEADING), `to learn: ${toLearn.join(' | ')}`);
    await assertMobileLayout(page, 'detail with coverage');
  });
  await shot(page, 'cards-02-coverage', true);

  await check('detail: the ONISEP link (plain external link, right href)', async () => {
    const link = page.locator('a.onisep-link').first();
    await link.waitFor({ state: 'visible' });
    const hrefs = await page.locator('a.onisep-link').evaluateAll((els) => els.map((a) => a.getAttribute('href')));
    assert(hrefs.includes('http://www.onisep.fr/http/redirection/metier/slug/MET.17'), `hrefs: ${hrefs.join(' ')}`);
    assert(((await link.textContent()) || '').includes('Voir la fiche ONISEP'), 'link text');
    assert(((await link.getAttribute('rel')) || '').split(/\s+/).includes('noopener'), 'rel=noopener');
    assert((await link.getAttribute('target')) === null, 'opens normally (no target)');
  });

  await check('detail without a profile: no coverage, ONISEP link still there; ESCO page has none', async () => {
    const fresh = await context.newPage();
    await fresh.goto(`${BASE_URL}/#/metier/rome/D1102`, { waitUntil: 'load' });
    await fresh.locator('a.onisep-link').first().waitFor({ state: 'visible' });
    assert(await fresh.locator('#coverage').count() === 0, 'coverage shown without a profile');
    await fresh.goto(`${BASE_URL}/#/metier/esco/${encodeURIComponent(ESCO_BAKER)}`, { waitUntil: 'load' });
    await fresh.locator('#detail-title').waitFor({ state: 'visible' });
    await fresh.locator('#detail-out[aria-busy="false"]').waitFor({ state: 'attached' });
    assert(await fresh.locator('a.onisep-link').count() === 0, 'an ESCO page shows an ONISEP link');
    await fresh.close();
  });

  await check('métier cards flow: no JavaScript errors', async () => {
    assert(jsErrors.length === 0, jsErrors.join(' | '));
  });
  await context.close();
}

// ---------------------------------------------------------------- facets: refinement chips, undecided banner

const MOCK_FACETS = [
  ['ctx-out', 'En extérieur', 'Outdoors'],
  ['ctx-we', 'Le week-end', 'At weekends'],
  ['ctx-night', 'La nuit', 'At night'],
  ['ctx-team', 'En équipe', 'In a team'],
  ['ctx-public', 'Au contact du public', 'With the public'],
  ['ctx-travel', 'Déplacements fréquents', 'Frequent travel'],
  ['ctx-standing', 'Debout', 'Standing'],
  ['ctx-home', 'Travail depuis chez soi', 'Work from your own home', false],
  ['ctx-all', 'Horaires variables', 'Variable hours'],
  ['ctx-rare', 'En hauteur', 'At height'],
].map(([id, fr, en, chip = true]) => ({ id, kind: 'context', label: { fr, en }, chip, occupations: 10 }))
  .concat([['none', 'Sans diplôme', 'No qualification'], ['cap', 'Accessible avec un CAP', 'With a CAP']]
    .map(([l, fr, en]) => ({ id: `level-${l}`, kind: 'level', label: { fr, en }, chip: true, occupations: 10 })));

// Ten métiers; among them ctx-out 5, ctx-we 4, ctx-night 3, ctx-team 6, ctx-public 7,
// ctx-travel 2, ctx-standing 8 (the 7th best split: not offered), ctx-home 5 (chip: false),
// ctx-all 10 and ctx-rare 1 (outside 20–80 %). Levels: cap ×4, bac ×3, bac2 ×2, unknown ×1.
const MOCK_CARRY = {
  'ctx-out': [0, 1, 2, 3, 4], 'ctx-we': [0, 5, 6, 7], 'ctx-night': [1, 5, 8], 'ctx-team': [0, 1, 2, 5, 6, 9],
  'ctx-public': [2, 3, 4, 5, 6, 7, 8], 'ctx-travel': [8, 9], 'ctx-standing': [0, 1, 2, 3, 4, 5, 6, 7],
  'ctx-home': [1, 3, 5, 7, 9], 'ctx-all': [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 'ctx-rare': [4],
};
const MOCK_LEVELS = ['cap', 'cap', 'bac', 'cap', 'bac2', 'bac', 'cap', 'bac2', 'bac', null];
const MOCK_LEVEL_ORDER = ['none', 'cap', 'bac', 'bac2', 'bac3', 'bac5', 'doctorate'];
const MOCK_NAMES = ['Jardinier', 'Maçon', 'Serveur', 'Vendeur', 'Animateur', 'Cuisinier', 'Agent de sécurité', 'Pâtissier', 'Chauffeur', 'Paysagiste'];

function mockResults() {
  return MOCK_NAMES.map((name, i) => ({
    taxonomy: 'rome', code: `T${i}`, label: `${name} (test)`, description: `Métier de test numéro ${i}.`, score: 1 - i / 20,
    skills: [], facets: Object.keys(MOCK_CARRY).filter((id) => MOCK_CARRY[id].includes(i)), entry_level: MOCK_LEVELS[i],
    matched: i === 0 ? [{ kind: 'facet', text: 'En extérieur ✓' }] : i === 1 ? [{ kind: 'entry_level', text: 'Accessible avec un CAP' }] : [],
  }));
}

/**
 * Answers /v1/facets, /v1/search and /v1/occupations/rome/T… from the tables above (the rest
 * goes to the server). Search: `require`, `exclude`, `max_level` filter the ten métiers; a
 * query with "week-end" rules it out (intent.avoided), one with "CAP" names a level
 * (intent.max_level), one with "sais pas" is undecided, one with "rien" finds nothing; `ctx-unknown` is refused as the server would (400). Returns the
 * search URLs asked.
 */
async function mockFacetApi(page) {
  const searches = [];
  await page.route((u) => u.pathname === '/v1/facets', (route) => route.fulfill({ json: { results: MOCK_FACETS } }));
  await page.route((u) => u.pathname === '/v1/search', (route) => {
    const u = new URL(route.request().url());
    searches.push(u.href);
    const p = u.searchParams;
    const q = p.get('q') || '';
    const ids = (name) => (p.get(name) || '').split(',').filter(Boolean);
    const require = ids('require');
    const exclude = ids('exclude');
    const max = p.get('max_level');
    if ([...require, ...exclude].includes('ctx-unknown')) {
      return route.fulfill({ status: 400, json: { error: { code: 'invalid_parameter', message: 'require: unknown facet `ctx-unknown`' } } });
    }
    const results = /rien/.test(q) ? [] : mockResults().filter((r) => require.every((id) => r.facets.includes(id))
      && !exclude.some((id) => r.facets.includes(id))
      && (!max || r.entry_level === null || MOCK_LEVEL_ORDER.indexOf(r.entry_level) <= MOCK_LEVEL_ORDER.indexOf(max)));
    const intent = { wanted: [], avoided: /week-end/.test(q) ? ['ctx-we'] : [], max_level: /CAP/.test(q) ? 'cap' : null, undecided: /sais pas/.test(q) };
    return route.fulfill({ json: { query: q, lang: p.get('lang'), offset: 0, results, intent, took_ms: 1 } });
  });
  await page.route((u) => /^\/v1\/occupations\/rome\/T\d$/.test(u.pathname), (route) => {
    const u = new URL(route.request().url());
    const en = u.searchParams.get('lang') === 'en';
    const code = u.pathname.split('/').pop();
    const facet = (id) => {
      const f = MOCK_FACETS.find((x) => x.id === id);
      return { id, kind: f.kind, label: en ? f.label.en : f.label.fr };
    };
    return route.fulfill({
      json: {
        taxonomy: 'rome', code, label: 'Jardinier (test)', labels: { fr: 'Jardinier (test)', en: 'Gardener (test)' },
        description: 'Entretient des jardins.', skills: { essential: [{ label: 'Tailler des haies' }], optional: [] },
        riasec: ['R'], interests: [], links: [], related: [],
        facets: [facet('ctx-out'), facet('ctx-we'), facet('ctx-standing'), facet('level-cap')], entry_level: 'cap',
      },
    });
  });
  return searches;
}

const lastSearch = (searches) => new URL(searches[searches.length - 1]);
const chipSel = (key) => `#search-out .refine-chip[data-chip="${key}"]`;

/** Waits until the results are drawn (not loading) and the chip `key` is `pressed` and, with `focused`, has focus. */
async function waitChip(page, key, pressed, { focused = false } = {}) {
  await page.waitForFunction(([sel, want, foc]) => {
    const b = document.querySelector(sel);
    const out = document.querySelector('#search-out');
    return b && out.getAttribute('aria-busy') === 'false' && b.getAttribute('aria-pressed') === want && (!foc || document.activeElement === b);
  }, [chipSel(key), pressed ? 'true' : 'false', focused]);
}

async function facetsFlow(browser) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'fr-FR' });
  context.setDefaultTimeout(STEP_TIMEOUT);
  const page = await context.newPage();
  const jsErrors = [];
  page.on('pageerror', (e) => jsErrors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error' && !/status of 400/.test(m.text())) jsErrors.push(`console: ${m.text()}`); });

  // The fixture index itself: whatever its facets, the chips shown are those its answer calls for.
  await check('facets (fixture index): /v1/facets lists facets; the chips are those the results call for', async () => {
    const [facetsRes] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === '/v1/facets'),
      page.goto(`${BASE_URL}/#/?q=boulanger`, { waitUntil: 'load' }),
    ]);
    assert(facetsRes.status() === 200, `/v1/facets: ${facetsRes.status()}`);
    const facets = (await facetsRes.json()).results;
    assert(Array.isArray(facets) && facets.length > 0 && facets.every((f) => f.id && f.label && f.label.fr && f.label.en), 'facets without id or label');
    assert(facets.some((f) => f.id === 'level-cap'), 'no level-cap facet');
    await waitForCards(page);
    const search = await page.evaluate(async () => (await fetch('/v1/search?q=boulanger&lang=fr&limit=12&group=metier')).json());
    assert(search.results.every((r) => Array.isArray(r.facets) && 'entry_level' in r), 'a result without facets / entry_level');
    const expected = await page.evaluate(async ([answer, list]) => {
      const { chooseChips, emptyFilters } = await import('/static/js/refine.js');
      const intent = answer.intent || {};
      const filters = { ...emptyFilters(), exclude: intent.avoided || [] };
      return chooseChips(answer.results, list, filters, { intentLevel: intent.max_level || '' }).map((c) => c.label);
    }, [search, facets]);
    const shown = await page.locator('#search-out .refine-chip').allTextContents();
    assert(JSON.stringify(shown) === JSON.stringify(expected), `chips ${JSON.stringify(shown)}, expected ${JSON.stringify(expected)}`);
    console.log(`     fixture chips for "boulanger": ${shown.length ? shown.join(' | ') : '(none)'}`);
  });

  const searches = await mockFacetApi(page);

  await check('facets: chips after a search, in a named group, closest to half first, at most 6 (+ levels)', async () => {
    // A fresh document, so the facets come from the mock, not the page's cache.
    await page.goto(`${BASE_URL}/#/`, { waitUntil: 'load' });
    await page.reload({ waitUntil: 'load' });
    await page.goto(`${BASE_URL}/#/?q=jardin`, { waitUntil: 'load' });
    await waitForCards(page);
    const group = page.getByRole('group', { name: 'Affiner les résultats' });
    await group.waitFor({ state: 'visible' });
    const keys = await group.locator('button').evaluateAll((els) => els.map((b) => b.dataset.chip));
    assert(JSON.stringify(keys) === JSON.stringify(['f:ctx-out', 'f:ctx-we', 'f:ctx-team', 'f:ctx-night', 'f:ctx-public', 'f:ctx-travel', 'lvl:cap', 'lvl:bac']),
      `chips ${keys.join(' ')}`);
    const pressed = await group.locator('button').evaluateAll((els) => els.map((b) => b.getAttribute('aria-pressed')));
    assert(pressed.every((v) => v === 'false'), `pressed: ${pressed}`);
    assert(((await page.locator(chipSel('lvl:cap')).textContent()) || '').includes('Accessible avec un CAP'), 'level chip label');
    assert(((await page.locator(chipSel('f:ctx-out')).textContent()) || '') === 'En extérieur', 'facet chip label');
    // The results' heading comes first, then the chips, then the cards; no undecided banner here.
    const order = await page.evaluate(() => [...document.querySelectorAll('#search-out > *')].map((el) => el.className));
    assert(order.join(' ') === 'results-title refine results', `order ${order.join(' | ')}`);
    assert(await page.locator('#undecided').count() === 0, 'undecided banner without undecided intent');
  }, { critical: true });

  await check('facets: evidence of kind facet / entry_level is named on the card', async () => {
    const first = page.locator('#search-out .card.result').first();
    assert(((await first.locator('.matched').textContent()) || '').includes('En extérieur ✓\u00a0(condition de travail)'), `card: ${await first.textContent()}`);
    const second = page.locator('#search-out .card.result').nth(1);
    assert(((await second.locator('.matched').textContent()) || '').includes('(niveau d’accès)'), `card: ${await second.textContent()}`);
  });

  await check('facets: keyboard: Tab to a chip, Enter requires it (require= sent, aria-pressed, focus kept), Space releases it', async () => {
    await page.locator('#q').focus();
    await tabTo(page, chipSel('f:ctx-out'));
    const [req] = await Promise.all([
      page.waitForRequest((r) => new URL(r.url()).pathname === '/v1/search'),
      page.keyboard.press('Enter'),
    ]);
    assert(new URL(req.url()).searchParams.get('require') === 'ctx-out', `request ${req.url()}`);
    await waitChip(page, 'f:ctx-out', true, { focused: true });
    assert(await page.locator('#search-out .card.result').count() === 5, `${await page.locator('#search-out .card.result').count()} cards, expected 5`);
    assert(new URLSearchParams(await page.evaluate(() => location.hash.split('?')[1] || '')).get('f') === 'ctx-out', `hash ${await page.evaluate(() => location.hash)}`);
    const [req2] = await Promise.all([
      page.waitForRequest((r) => new URL(r.url()).pathname === '/v1/search'),
      page.keyboard.press('Space'),
    ]);
    assert(!new URL(req2.url()).searchParams.has('require'), `request ${req2.url()}`);
    await waitChip(page, 'f:ctx-out', false, { focused: true });
    assert(await page.locator('#search-out .card.result').count() === 10, 'results not back to 10');
    assert(!/[?&]f=/.test(await page.evaluate(() => location.hash)), 'filter left in the hash');
  });

  let tapped = '';
  await check('facets: touch: tapping a level chip sends max_level, tapping a facet chip adds require=', async () => {
    const [req] = await Promise.all([
      page.waitForRequest((r) => new URL(r.url()).pathname === '/v1/search'),
      page.locator(chipSel('lvl:cap')).tap(),
    ]);
    assert(new URL(req.url()).searchParams.get('max_level') === 'cap', `request ${req.url()}`);
    await waitChip(page, 'lvl:cap', true);
    assert(await page.locator('#search-out .card.result').count() === 5, 'cap or unknown: 5 métiers');
    const chip = page.locator('#search-out .refine-chip.chip-require[aria-pressed="false"]').first();
    tapped = await chip.getAttribute('data-chip');
    const [req2] = await Promise.all([
      page.waitForRequest((r) => new URL(r.url()).pathname === '/v1/search'),
      chip.tap(),
    ]);
    const p = new URL(req2.url()).searchParams;
    assert(p.get('require') === tapped.slice(2) && p.get('max_level') === 'cap', `request ${req2.url()}`);
    await waitChip(page, tapped, true);
    await waitChip(page, 'lvl:cap', true);
  });
  await shot(page, 'facets-01-chips', true);

  await check('facets: the filters survive a reload (hash), chips still pressed', async () => {
    const hash = await page.evaluate(() => location.hash);
    const hp = new URLSearchParams(hash.split('?')[1] || '');
    assert(hp.get('q') === 'jardin' && hp.get('f') === tapped.slice(2) && hp.get('lvl') === 'cap', `hash ${hash}`);
    searches.length = 0;
    await page.reload({ waitUntil: 'load' });
    await waitForCards(page);
    await waitChip(page, tapped, true);
    await waitChip(page, 'lvl:cap', true);
    const p = lastSearch(searches).searchParams;
    assert(p.get('require') === tapped.slice(2) && p.get('max_level') === 'cap', `request after reload ${searches.join(' ')}`);
  });

  await check('facets: a new query starts without filters', async () => {
    searches.length = 0;
    await typeQuery(page, 'cuisine');
    await page.waitForFunction(() => document.querySelectorAll('#search-out .card.result').length === 10 && document.querySelector('#search-out').getAttribute('aria-busy') === 'false');
    const p = lastSearch(searches).searchParams;
    assert(p.get('q') === 'cuisine' && !p.has('require') && !p.has('max_level'), `request ${lastSearch(searches)}`);
    assert(await page.locator('#search-out .refine-chip[aria-pressed="true"]').count() === 0, 'a chip is still pressed');
  });

  await check('facets: "pas le week-end" (intent.avoided) shows a pressed exclusion chip, sent as exclude=, removable', async () => {
    await page.goto(`${BASE_URL}/#/?q=${encodeURIComponent('cuisine mais pas le week-end')}`);
    await waitChip(page, 'x:ctx-we', true);
    const chip = page.locator(chipSel('x:ctx-we'));
    assert(((await chip.textContent()) || '') === 'Pas : Le week-end', `label ${await chip.textContent()}`);
    assert(await page.locator(chipSel('f:ctx-we')).count() === 0, 'ctx-we also offered as a requirement');
    assert(new URLSearchParams((await page.evaluate(() => location.hash)).split('?')[1]).get('x') === 'ctx-we', 'exclusion not in the hash');
    // Another chip: the exclusion goes with it.
    const [req] = await Promise.all([
      page.waitForRequest((r) => new URL(r.url()).pathname === '/v1/search'),
      page.locator(chipSel('f:ctx-out')).click(),
    ]);
    let p = new URL(req.url()).searchParams;
    assert(p.get('exclude') === 'ctx-we' && p.get('require') === 'ctx-out', `request ${req.url()}`);
    await waitChip(page, 'f:ctx-out', true);
    assert(await page.locator('#search-out .card.result').count() === 4, `${await page.locator('#search-out .card.result').count()} cards`);
    // Off by keyboard: no exclude= any more, the chip stays (unpressed) to turn it on again.
    await page.locator(chipSel('x:ctx-we')).focus();
    const [req2] = await Promise.all([
      page.waitForRequest((r) => new URL(r.url()).pathname === '/v1/search'),
      page.keyboard.press('Enter'),
    ]);
    p = new URL(req2.url()).searchParams;
    assert(!p.has('exclude') && p.get('require') === 'ctx-out', `request ${req2.url()}`);
    await waitChip(page, 'x:ctx-we', false, { focused: true });
    const [req3] = await Promise.all([
      page.waitForRequest((r) => new URL(r.url()).pathname === '/v1/search'),
      page.locator(chipSel('x:ctx-we')).tap(),
    ]);
    assert(new URL(req3.url()).searchParams.get('exclude') === 'ctx-we', `request ${req3.url()}`);
    await waitChip(page, 'x:ctx-we', true);
  });
  await shot(page, 'facets-02-exclusion', true);

  await check('facets: no result with the filters: the chips stay, to remove one', async () => {
    await page.goto(`${BASE_URL}/#/?q=rien&f=ctx-out`);
    await page.locator('#search-out .state.empty').waitFor({ state: 'visible' });
    await waitChip(page, 'f:ctx-out', true);
    assert(/retire-en un/.test(await page.locator('#search-out .filter-hint').textContent()), 'no hint');
    const [req] = await Promise.all([
      page.waitForRequest((r) => new URL(r.url()).pathname === '/v1/search'),
      page.locator(chipSel('f:ctx-out')).click(),
    ]);
    assert(!new URL(req.url()).searchParams.has('require'), `request ${req.url()}`);
  });

  await check('facets: the level the query names (intent.max_level) is offered as a chip, not pressed', async () => {
    await page.goto(`${BASE_URL}/#/?q=${encodeURIComponent('rien, j’ai un CAP')}`);
    await page.locator('#search-out .state.empty').waitFor({ state: 'visible' });
    await waitChip(page, 'lvl:cap', false);
    assert(!lastSearch(searches).searchParams.has('max_level'), `request ${lastSearch(searches)}`);
  });

  await check('facets: a link naming an unknown facet (400 invalid_parameter) searches without filters', async () => {
    await page.goto(`${BASE_URL}/#/?q=jardin&f=ctx-unknown`);
    await page.waitForFunction(() => document.querySelectorAll('#search-out .card.result').length === 10);
    assert(!lastSearch(searches).searchParams.has('require'), `last request ${lastSearch(searches)}`);
    assert(!/[?&]f=/.test(await page.evaluate(() => location.hash)), 'unknown facet left in the hash');
  });

  await check('undecided: "je sais pas quoi faire de ma vie" shows the banner above the results, in both languages, with the questionnaire', async () => {
    await page.goto(`${BASE_URL}/#/?q=${encodeURIComponent('je sais pas quoi faire de ma vie')}`);
    const banner = page.locator('#search-out #undecided');
    await banner.waitFor({ state: 'visible' });
    const text = (await banner.textContent()) || '';
    assert(text.includes('Pas d’idée précise ?') && text.includes('Le questionnaire t’aide à trouver des pistes'), `banner: ${text}`);
    assert(await page.evaluate(() => document.querySelector('#search-out').firstElementChild.id) === 'undecided', 'banner is not first');
    await waitForCards(page);
    await page.locator('.lang-btn[data-lang="en"]').click();
    await page.locator('#search-out #undecided', { hasText: 'No clear idea yet?' }).waitFor({ state: 'visible' });
    await page.locator('#search-out .refine', { hasText: 'Refine the results' }).waitFor({ state: 'visible' });
    await page.locator(chipSel('f:ctx-out'), { hasText: 'Outdoors' }).waitFor({ state: 'visible' });
    await page.locator('.lang-btn[data-lang="fr"]').click();
    await page.locator('#search-out #undecided', { hasText: 'Pas d’idée précise ?' }).waitFor({ state: 'visible' });
    await assertMobileLayout(page, 'undecided banner + chips');
    await shot(page, 'facets-03-undecided');
    const link = page.getByRole('link', { name: 'Faire le questionnaire' });
    assert(await link.getAttribute('href') === '#/quiz', 'link href');
    await link.tap();
    await page.waitForFunction(() => location.hash === '#/quiz');
    await page.locator('#view-quiz').waitFor({ state: 'visible' });
    await page.goBack();
    await page.locator('#search-out #undecided').waitFor({ state: 'visible' });
  });

  await check('detail: working conditions and entry level (French, then English)', async () => {
    await page.goto(`${BASE_URL}/#/metier/rome/T0`);
    const sec = page.locator('#view-detail #facets');
    await sec.waitFor({ state: 'visible' });
    await sec.getByRole('heading', { name: 'Conditions de travail' }).waitFor({ state: 'visible' });
    assert(((await sec.locator('.entry-level').textContent()) || '').includes('Accessible avec un CAP'), `level: ${await sec.locator('.entry-level').textContent()}`);
    const items = await sec.locator('.facet-list li').allTextContents();
    assert(JSON.stringify(items) === JSON.stringify(['En extérieur', 'Le week-end', 'Debout']), `facets ${items.join(' | ')}`);
    await assertMobileLayout(page, 'detail with facets');
    await page.locator('.lang-btn[data-lang="en"]').click();
    await sec.getByRole('heading', { name: 'Working conditions' }).waitFor({ state: 'visible' });
    await sec.locator('.entry-level', { hasText: 'Accessible with a CAP' }).waitFor({ state: 'visible' });
    assert((await sec.locator('.facet-list li').allTextContents()).includes('Outdoors'), 'English facet labels');
    await page.locator('.lang-btn[data-lang="fr"]').click();
    await page.locator('html[lang="fr"]').waitFor({ state: 'attached' });
  });
  await shot(page, 'facets-04-detail', true);

  await check('facets: no JavaScript errors', async () => {
    assert(jsErrors.length === 0, jsErrors.join(' | '));
  });
  await context.close();

  // Narrow phones: the chips wrap, no horizontal scroll, 44-px targets.
  for (const width of [320, 430]) {
    const phone = await browser.newContext({ viewport: { width, height: 780 }, isMobile: true, hasTouch: true, locale: 'fr-FR' });
    phone.setDefaultTimeout(STEP_TIMEOUT);
    const p = await phone.newPage();
    await mockFacetApi(p);
    await check(`${width}px: refinement chips (pressed and exclusion) and the undecided banner`, async () => {
      await p.goto(`${BASE_URL}/#/?q=${encodeURIComponent('je sais pas, pas le week-end')}&f=ctx-team&lvl=cap`, { waitUntil: 'load' });
      await waitForCards(p);
      await p.locator('#search-out #undecided').waitFor({ state: 'visible' });
      await waitChip(p, 'x:ctx-we', true);
      await waitChip(p, 'f:ctx-team', true);
      await assertMobileLayout(p, 'chips + banner');
    });
    await phone.close();
  }
}

// ---------------------------------------------------------------- page weight
/** Most bytes the first load of the page may cost on the wire (headers and encoded bodies). */
const FIRST_LOAD_MAX_BYTES = 50 * 1024;

/** First load in a fresh context (empty cache), as a phone on a small data plan gets it. */
async function weightFlow(browser) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, locale: 'fr-FR' });
  context.setDefaultTimeout(STEP_TIMEOUT);
  const page = await context.newPage();
  const responses = [];
  page.on('response', (r) => responses.push(r));
  await check(`first load of the page is at most ${FIRST_LOAD_MAX_BYTES / 1024} KB on the wire, compressed`, async () => {
    await page.goto(`${BASE_URL}/`, { waitUntil: 'networkidle' });
    await page.getByRole('button', { name: 'développeur web' }).waitFor({ state: 'visible' });
    let total = 0;
    const rows = [];
    for (const r of responses) {
      const sizes = await r.request().sizes();
      const bytes = sizes.responseHeadersSize + sizes.responseBodySize;
      total += bytes;
      rows.push(`${new URL(r.url()).pathname} ${bytes}`);
      const type = r.headers()['content-type'] || '';
      if (/javascript|css|html|json/.test(type) && sizes.responseBodySize > 1024) {
        assert(/gzip|br|zstd/.test(r.headers()['content-encoding'] || ''), `${r.url()} is sent uncompressed`);
      }
    }
    console.log(`     first load: ${responses.length} requests, ${total} bytes on the wire`);
    assert(total <= FIRST_LOAD_MAX_BYTES, `${total} bytes: ${rows.join(', ')}`);
  });
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
      await weightFlow(browser);
      aborted = false;
      await phoneFlow(browser);
      aborted = false;
      await desktopFlow(browser);
      aborted = false;
      await mobileFlow(browser);
      aborted = false;
      await shortlistFlow(browser);
      aborted = false;
      await quizFlow(browser);
      aborted = false;
      await cardsFlow(browser);
      aborted = false;
      await facetsFlow(browser);
      if (process.env.DOCS_SCREENSHOTS) {
        aborted = false;
        await docsScreenshots(browser, path.resolve(process.env.DOCS_SCREENSHOTS));
      }
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
