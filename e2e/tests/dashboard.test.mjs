// End-to-end tests of the wijkmonitor dashboard in headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core): the overview, an area page and an indicator page are opened, the figures shown are
// checked against each page's JSON twin, the language is switched, screenshots are saved in screenshots/,
// and axe-core checks every page against WCAG 2.1 AA.
//
// Run: cargo build -p wijkmonitor && (cd e2e && npm ci && npm test)
// The server is target/debug/wijkmonitor; the demo database is built into a temporary folder unless
// WIJKMONITOR_E2E_DB names one.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const binary = process.env.WIJKMONITOR_BIN || join(root, 'target', 'debug', 'wijkmonitor');
const screenshots = join(here, '..', 'screenshots');
const axeSource = readFileSync(join(here, '..', 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

let work;
let server;
let context;
let base;

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

function startServer(db, port) {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, ['serve', '--db', db, '--addr', `127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 30_000);
    const onData = (chunk) => {
      output += chunk;
      if (output.includes('wijkmonitor dashboard:')) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
}

before(async () => {
  assert.ok(existsSync(binary), `${binary} is missing: run cargo build -p wijkmonitor first`);
  work = mkdtempSync(join(tmpdir(), 'wijkmonitor-e2e-'));
  let db = process.env.WIJKMONITOR_E2E_DB;
  if (!db) {
    db = join(work, 'demo.db');
    execFileSync(binary, ['demo', '--db', db], { stdio: 'ignore' });
  }
  const port = await freePort();
  server = await startServer(db, port);
  base = `http://127.0.0.1:${port}`;
  mkdirSync(screenshots, { recursive: true });
  context = await chromium.launchPersistentContext(join(work, 'profile'), {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
    viewport: { width: 1280, height: 900 },
    // axe-core is injected by the test as an inline script, which the site's Content-Security-Policy forbids.
    bypassCSP: true,
  });
});

after(async () => {
  if (context) await context.close();
  if (server) server.kill('SIGTERM');
  if (work) rmSync(work, { recursive: true, force: true });
});

async function twin(path) {
  const response = await fetch(`${base}${path}`);
  assert.equal(response.status, 200, path);
  return response.json();
}

function formatted(value, decimals, locale) {
  return new Intl.NumberFormat(locale, { minimumFractionDigits: decimals, maximumFractionDigits: decimals }).format(value);
}

async function checkAccessibility(page, name) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }),
  );
  const problems = result.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('\n  ')}`,
  );
  assert.deepEqual(problems, [], `${name}: axe-core found WCAG 2.1 AA violations`);
}

async function open(path) {
  const page = await context.newPage();
  const response = await page.goto(`${base}${path}`);
  assert.equal(response.status(), 200, path);
  return page;
}

function find(area, id) {
  for (const line of area.action_lines) {
    for (const tier of line.tiers) {
      for (const item of tier.indicators) {
        if (item.indicator.id === id) return item;
      }
    }
  }
  throw new Error(`no indicator ${id}`);
}

test('overview shows the headline figures of its JSON twin, the map and the demo banner', async () => {
  const page = await open('/');
  const json = await twin('/index.json');
  assert.equal(await page.locator('html').getAttribute('lang'), 'nl');
  assert.match(await page.locator('#demo-banner').innerText(), /SYNTHETISCHE demodata/);
  assert.equal(await page.locator('svg.map[role="img"]').count(), 1);
  assert.equal(await page.locator('ol.areas li').count(), json.areas.length);
  for (const headline of json.headline) {
    const last = [...headline.all_areas].reverse().find((p) => p.value !== null);
    if (!last) continue;
    const shown = await page.locator(`[data-indicator="${headline.indicator.id}"][data-target="focusgebieden"]`).innerText();
    assert.ok(shown.startsWith(formatted(last.value, headline.indicator.decimals, 'nl-NL')),
      `${headline.indicator.id}: shows "${shown}", JSON has ${last.value}`);
  }
  await page.screenshot({ path: join(screenshots, 'overview-nl.png'), fullPage: true });
  await checkAccessibility(page, 'overview');
  await page.close();
});

test('area page shows the figures of its JSON twin and switches language', async () => {
  const path = '/gebied/den-haag-zuidwest';
  const page = await open(path);
  const json = await twin(`${path}.json`);
  const inhabitants = find(json, 'inhabitants');
  const cell = page.locator('td[data-indicator="inhabitants"]');
  assert.equal((await cell.innerText()).trim(), formatted(inhabitants.figure.value, 0, 'nl-NL'));
  const participation = find(json, 'net_labour_participation');
  if (participation.figure && participation.figure.value !== null) {
    const shown = await page.locator('td[data-indicator="net_labour_participation"]').innerText();
    assert.ok(shown.startsWith(formatted(participation.figure.value, 1, 'nl-NL')), shown);
  }
  assert.ok((await page.locator('svg.spark title').count()) > 10, 'trend charts with titles');
  assert.match(await page.locator('body').innerText(), /Indicatieve afbakening/);
  await page.screenshot({ path: join(screenshots, 'area-nl.png'), fullPage: true });
  await checkAccessibility(page, 'area page (nl)');

  await page.click('#lang-switch');
  await page.waitForURL(/\/en\/gebied\//);
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  assert.equal((await page.locator('td[data-indicator="inhabitants"]').innerText()).trim(), formatted(inhabitants.figure.value, 0, 'en-GB'));
  assert.match(await page.locator('h2#integral').innerText(), /Action line/);
  await page.screenshot({ path: join(screenshots, 'area-en.png'), fullPage: true });
  await checkAccessibility(page, 'area page (en)');
  await page.close();
});

test('indicator page ranks the areas as its JSON twin does', async () => {
  const path = '/indicator/net_labour_participation';
  const page = await open(path);
  const json = await twin(`${path}.json`);
  const decimals = json.indicator.decimals;
  for (const row of json.ranking.slice(0, 5)) {
    if (!row.figure || row.figure.value === null) continue;
    const shown = await page.locator(`td[data-area="${row.id}"]`).innerText();
    assert.ok(shown.startsWith(formatted(row.figure.value, decimals, 'nl-NL')), `${row.id}: ${shown}`);
  }
  assert.equal(await page.locator('svg.map').count(), 1, 'a choropleth');
  assert.ok((await page.locator('svg.chart').count()) >= 2, 'ranking and time series charts');
  await page.screenshot({ path: join(screenshots, 'indicator-nl.png'), fullPage: true });
  await checkAccessibility(page, 'indicator page');
  // The area selector works without JavaScript: it is a plain GET form.
  await page.selectOption('#gebied', 'den-haag-zuidwest');
  await Promise.all([page.waitForURL(/gebied=den-haag-zuidwest/), page.click('form button[type="submit"]')]);
  assert.equal(await page.locator('#gebied').inputValue(), 'den-haag-zuidwest');
  await page.close();
});

test('pages carry no scripts and work without JavaScript', async () => {
  for (const path of ['/', '/gebied/den-haag-zuidwest', '/indicator/net_labour_participation', '/actielijn/safety', '/downloads', '/over']) {
    const html = await (await fetch(`${base}${path}`)).text();
    assert.ok(!/<script/i.test(html), `${path} has no script`);
  }
  const page = await open('/en/actielijn/safety');
  await checkAccessibility(page, 'action line page');
  await page.close();
  const about = await open('/over');
  await checkAccessibility(about, 'about page');
  await about.close();
});

test('the effect section and an effect page show what their JSON twins say, accessibly', async () => {
  const area = 'amsterdam-nieuw-west';
  const page = await open(`/gebied/${area}`);
  const json = await twin(`/gebied/${area}.json`);
  assert.ok(json.effects.length > 0, 'the area has effects');
  const rows = page.locator('table.effects tbody tr');
  assert.equal(await rows.count(), json.effects.length, 'one row per effect indicator');
  for (const effect of json.effects) {
    const row = page.locator(`tr[data-effect="${effect.indicator.id}"]`);
    assert.equal(await row.getAttribute('data-verdict'), effect.verdict, effect.indicator.id);
    assert.ok((await row.innerText()).includes(effect.sentence_nl), `${effect.indicator.id}: the sentence of the twin`);
    const did = effect.estimates.find((e) => e.estimator === 'did');
    if (did) {
      const shown = await row.locator('td.num').first().innerText();
      const expected = (did.estimate > 0 ? '+' : '') + formatted(did.estimate, effect.indicator.decimals + 1, 'nl-NL');
      assert.ok(shown.replace('−', '-').startsWith(expected.replace('−', '-')), `${effect.indicator.id}: shows ${shown}, JSON ${did.estimate}`);
    }
  }
  await page.locator('#effect').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(screenshots, 'area-effect-nl.png'), fullPage: false });

  const detail = await open(`/gebied/${area}/effect/lbm_score`);
  const dj = await twin(`/gebied/${area}/effect/lbm_score.json`);
  assert.equal(await detail.locator('p.lead.verdict').innerText(), dj.sentence_nl);
  assert.equal(await detail.locator('p.lead.verdict').getAttribute('data-verdict'), dj.verdict);
  assert.equal(await detail.locator('svg.chart').count(), 2, 'the counterfactual and the event study');
  assert.equal(await detail.locator('details table tbody tr').count(), dj.controls.length, 'every comparison buurt');
  await detail.screenshot({ path: join(screenshots, 'effect-nl.png'), fullPage: true });
  await checkAccessibility(detail, 'effect page (nl)');
  await detail.close();

  const method = await open('/en/over/effectmeting');
  assert.match(await method.locator('h1').innerText(), /Measuring effect/);
  await checkAccessibility(method, 'method page (en)');
  await method.close();
  await checkAccessibility(page, 'area page with effects');
  await page.close();
});

const PUBLIC_PAGES = [
  '/', '/actielijn/integral', '/actielijn/physical', '/actielijn/participation', '/actielijn/safety',
  '/gebied/den-haag-zuidwest', '/gebied/amsterdam-nieuw-west', '/indicator/net_labour_participation',
  '/indicator/dwellings_lbm_weak_or_lower', '/gebied/amsterdam-nieuw-west/effect/lbm_score', '/over/effectmeting',
  '/downloads', '/over',
];

// Elements wider than their box, except the visually hidden ones (1 px on purpose).
async function overflowing(page) {
  return page.evaluate(() => [...document.querySelectorAll('*')]
    .filter((e) => e.clientWidth > 1 && e.scrollWidth > e.clientWidth + 1)
    .slice(0, 5)
    .map((e) => `${e.tagName.toLowerCase()}.${e.className} ${e.scrollWidth}>${e.clientWidth}`));
}

test('no public page scrolls sideways on a phone, and every page is accessible at both widths', async () => {
  for (const width of [390, 1400]) {
    const page = await context.newPage();
    await page.setViewportSize({ width, height: 900 });
    for (const path of PUBLIC_PAGES) {
      const response = await page.goto(`${base}${path}`);
      assert.equal(response.status(), 200, path);
      if (width === 390) {
        assert.deepEqual(await overflowing(page), [], `${path} at ${width} px: these elements scroll sideways`);
      }
      await checkAccessibility(page, `${path} at ${width} px`);
    }
    await page.close();
  }
});

test('an area page opens with the headline indicators of its JSON twin, on a phone and on a wide screen', async () => {
  const path = '/gebied/den-haag-zuidwest';
  const json = await twin(`${path}.json`);
  assert.ok(json.headline.length >= 4, 'the headline indicators of the progress report');
  for (const width of [390, 1400]) {
    const page = await context.newPage();
    await page.setViewportSize({ width, height: 900 });
    await page.goto(`${base}${path}`);
    const first = page.locator('main section').first();
    assert.equal(await first.getAttribute('aria-labelledby'), 'kerncijfers', 'the headline block is the first section');
    for (const h of json.headline) {
      const card = first.locator(`li[data-headline="${h.indicator.id}"]`);
      assert.equal(await card.count(), 1, h.indicator.id);
      if (h.figure && h.figure.value !== null) {
        const shown = (await card.locator('.value').innerText()).trim();
        assert.ok(shown.startsWith(formatted(h.figure.value, h.indicator.decimals, 'nl-NL')), `${h.indicator.id} at ${width} px: ${shown}`);
      }
      if (h.netherlands !== null) {
        assert.ok((await card.innerText()).includes(formatted(h.netherlands, h.indicator.decimals, 'nl-NL')), `${h.indicator.id}: the Netherlands`);
      }
    }
    await page.screenshot({ path: join(screenshots, `area-${width}.png`), fullPage: false });
    await page.close();
  }
});

test('an area page prints as an A4 document without navigation', async () => {
  const page = await open('/gebied/den-haag-zuidwest');
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('header.site').evaluate((e) => getComputedStyle(e).display), 'none', 'no navigation in print');
  assert.equal(await page.locator('footer.site').evaluate((e) => getComputedStyle(e).display), 'block', 'the footer with source and date');
  assert.match(await page.locator('footer.site').innerText(), /Bron: CBS.*\d{4}-\d{2}-\d{2}/s);
  const pdf = await page.pdf({ format: 'A4', printBackground: false });
  const file = join(screenshots, 'area-print.pdf');
  writeFileSync(file, pdf);
  // pdfinfo (poppler-utils, installed by .ci/run) reads the page count; the PDF's text must hold no menu.
  const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file], { encoding: 'utf8' }))[1]);
  assert.ok(pages >= 3 && pages <= 35, `${pages} A4 pages`);
  const text = execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' });
  assert.ok(!text.includes('Hoofdmenu') && !/Overzicht\s+Integraal\s+Fysiek/.test(text), 'the menu is not printed');
  assert.match(text, /Kerncijfers/);
  await page.close();
});
