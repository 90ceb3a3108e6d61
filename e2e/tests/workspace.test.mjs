// End-to-end test of the signed-in workspace in headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core): the whole path of one figure from the yearly request to the public dashboard.
//
//   analyst opens the 2025 round -> area editor types an invalid answer (validation next to the field), saves a
//   draft, fills in the form and submits -> analyst sees the status overview, accepts, publishes -> the figure
//   is on the public area page and its JSON twin (and was not there before publication) -> the audit log shows
//   every step, as a page and as CSV.
//
// axe-core checks the sign-in page, the request form with a validation error, the status overview and the audit
// log against WCAG 2.1 AA (reported together by the last test, so a violation does not stop the story);
// screenshots go to screenshots/workspace-*.png.
//
// Run: cargo build -p wijkmonitor && (cd e2e && npm ci && npm test)
// A fresh demo database is always built into a temporary folder (the test changes it), the accounts are added
// with `wijkmonitor user add`, and the server runs with --today 2026-05-01 (inside the default request window).
// The tests below are steps of one story and run in order; after a failed step the later ones are skipped.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, existsSync, readFileSync } from 'node:fs';
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

const TODAY = '2026-05-01';
const YEAR = 2025;
const AREA = 'heerlen-noord';
const ITEM = 'households_energy_saving';
const FIGURE = 123;
const ANALYST = { email: 'analist.e2e@example.nl', password: 'e2e-analist-wachtwoord', role: 'analyst' };
const EDITOR = { email: 'redacteur.e2e@heerlen.example.nl', password: 'e2e-redacteur-wachtwoord', role: 'area-editor', area: AREA };
const SESSION_COOKIE = 'wm_session';

let work;
let server;
let serverOutput = '';
let browser;
let base;
let failed = null; // the name of the first step that failed: later steps depend on it and are skipped

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
    const child = spawn(binary, ['serve', '--db', db, '--addr', `127.0.0.1:${port}`, '--today', TODAY], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let ready = false;
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${serverOutput}`)), 30_000);
    // The output is kept for the whole run, so a failing step can show what the server said.
    const onData = (chunk) => {
      serverOutput += chunk;
      if (!ready && serverOutput.includes('wijkmonitor dashboard:')) {
        ready = true;
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code, signal) => {
      serverOutput += `\n[server exited with ${code ?? signal}]\n`;
      clearTimeout(timer);
      if (!ready) reject(new Error(`server exited with ${code}:\n${serverOutput}`));
    });
  });
}

function cli(args, input) {
  try {
    return execFileSync(binary, args, { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (e) {
    throw new Error(`wijkmonitor ${args.join(' ')} failed (${e.status}):\n${e.stdout}\n${e.stderr}`);
  }
}

before(async () => {
  assert.ok(existsSync(binary), `${binary} is missing: run cargo build -p wijkmonitor first`);
  work = mkdtempSync(join(tmpdir(), 'wijkmonitor-e2e-work-'));
  const db = join(work, 'demo.db');
  cli(['demo', '--db', db]);
  for (const user of [ANALYST, EDITOR]) {
    const area = user.area ? ['--area', user.area] : [];
    cli(['user', 'add', '--db', db, '--email', user.email, '--role', user.role, ...area, '--password-stdin'], `${user.password}\n`);
  }
  const port = await freePort();
  server = await startServer(db, port);
  base = `http://127.0.0.1:${port}`;
  mkdirSync(screenshots, { recursive: true });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
});

after(async () => {
  if (browser) await browser.close();
  if (server && server.exitCode === null) server.kill('SIGTERM');
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Runs one step of the story; a failure carries the end of the server's output. */
function step(name, body) {
  test(name, async (t) => {
    if (failed) {
      t.skip(`skipped: the earlier step "${failed}" failed`);
      return;
    }
    try {
      await body(t);
    } catch (e) {
      failed = name;
      const tail = serverOutput.split('\n').slice(-40).join('\n');
      e.message = `${e.message}\n--- server output (last 40 lines) ---\n${tail}`;
      throw e;
    }
  });
}

// Accessibility results by page. A violation does not stop the story (the later steps still run); the last test
// reports every page's violations together.
const accessibility = new Map();

async function checkAccessibility(page, name) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }),
  );
  const problems = result.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')}: ${n.html.slice(0, 160)}`).join('\n  ')}`,
  );
  accessibility.set(name, problems);
}

function newContext() {
  // axe-core is injected by the test as an inline script, which the site's Content-Security-Policy forbids.
  return browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
}

async function open(context, path, status = 200) {
  const page = await context.newPage();
  const response = await page.goto(`${base}${path}`);
  assert.equal(response.status(), status, `GET ${path}`);
  assert.equal(new URL(page.url()).pathname, path.split('?')[0], `GET ${path} was redirected to ${page.url()}`);
  return page;
}

/** Clicks a submit button and waits for the page the form leads to (after any redirect); returns its response. */
async function submit(page, selector, timeout = 30_000) {
  const navigation = page.waitForNavigation({ waitUntil: 'load', timeout });
  await page.click(selector);
  const response = await navigation;
  assert.ok(response, `clicking ${selector} loaded no page`);
  return response;
}

async function sessionCookie(context) {
  return (await context.cookies(base)).find((c) => c.name === SESSION_COOKIE);
}

/** Signs in on /aanmelden; returns the workspace page it leads to. */
async function signIn(context, user, { screenshot, axe } = {}) {
  const page = await open(context, '/aanmelden');
  if (screenshot) await page.screenshot({ path: join(screenshots, screenshot), fullPage: true });
  if (axe) await checkAccessibility(page, 'sign-in page');
  await page.fill('#email', user.email);
  await page.fill('#password', user.password);
  const response = await submit(page, 'main form button[type="submit"]');
  const cookie = await sessionCookie(context);
  assert.ok(cookie,
    `Chromium did not keep the session cookie set on ${base} (Secure cookie over plain HTTP on 127.0.0.1?); ` +
    `the page is now ${page.url()} (${response.status()})`);
  assert.equal(cookie.httpOnly, true, 'session cookie is HttpOnly');
  assert.equal(cookie.secure, true, 'session cookie is Secure');
  assert.equal(cookie.sameSite, 'Strict', 'session cookie is SameSite=Strict');
  assert.equal(response.status(), 200, `after signing in: ${page.url()}`);
  assert.equal(new URL(page.url()).pathname, '/werk', `after signing in: ${page.url()}`);
  assert.match(await page.locator('main').innerText(), new RegExp(user.email.replace(/[.]/g, '\\.')));
  return page;
}

async function signOut(context, page) {
  const response = await submit(page, 'header form button[type="submit"]');
  assert.equal(response.status(), 200);
  assert.equal(new URL(page.url()).pathname, '/', 'signing out leads to the dashboard');
  assert.equal(await sessionCookie(context), undefined, 'the session cookie is gone after signing out');
  assert.equal(await page.locator('header form button').count(), 0, 'no sign-out button after signing out');
  // The workspace asks to sign in again.
  await page.goto(`${base}/werk`);
  assert.equal(new URL(page.url()).pathname, '/aanmelden');
}

async function twin(path) {
  const response = await fetch(`${base}${path}`);
  assert.equal(response.status, 200, path);
  return response.json();
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

/** The CSV rows as objects (RFC 4180 quoting, as the csv crate writes it). */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field); rows.push(row); row = []; field = '';
    } else field += c;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  const [header, ...body] = rows;
  return body.map((r) => Object.fromEntries(header.map((h, k) => [h, r[k]])));
}

async function auditActions(page) {
  return page.locator('#audit tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.action));
}

let analyst; // the analyst's browser context (its cookies)

step('the analyst signs in and opens the request round for 2025', async () => {
  analyst = await newContext();
  const page = await signIn(analyst, ANALYST, { screenshot: 'workspace-signin.png', axe: true });
  assert.match(await page.locator('main').innerText(), new RegExp(`${TODAY}`), 'the home page shows the date of the deadlines');
  assert.equal(await page.locator('#jaar').inputValue(), String(YEAR), 'the year defaults to last year');
  await page.fill('#jaar', String(YEAR));
  assert.equal(await page.locator('#opent').inputValue(), '');
  assert.equal(await page.locator('#sluit').inputValue(), '');
  const response = await submit(page, 'form:has(#jaar) button[type="submit"]');
  assert.equal(response.status(), 200, `opening the round: ${page.url()}`);
  assert.equal(new URL(page.url()).pathname, `/werk/uitvraag/${YEAR}`);
  assert.match(await page.locator('#flash').innerText(), /uitvraagronde is geopend/);
  assert.match(await page.locator('main p.lead').innerText(), /2026-04-15 – 2026-06-15/, 'the default window');
  assert.equal(await page.locator('#statuses tbody tr').count(), 20, 'one row per focus area');
  assert.equal(await page.locator('[data-count="not_started"]').innerText(), '20');
  await signOut(analyst, page);
  await page.close();
});

let editor;
let form; // the editor's request page

step('the area editor sees a validation message next to an invalid answer, and what was typed is kept', async () => {
  editor = await newContext();
  const home = await signIn(editor, EDITOR);
  const link = home.locator(`a[href="/werk/uitvraag/${YEAR}/${AREA}"]`);
  assert.equal(await link.count(), 1, 'the home page links to the area\'s request');
  await home.close();
  form = await open(editor, `/werk/uitvraag/${YEAR}/${AREA}`);
  assert.equal(await form.locator('[data-status]').first().getAttribute('data-status'), 'not_started');
  await form.fill(`#v-${ITEM}`, 'veel');
  await form.fill('#v-vve_children_indicated', '20');
  await form.selectOption('#v-spuk_structure_effective', '4');
  await form.fill(`textarea[name="e.${ITEM}"]`, 'Toelichting bij de energiebesparing');
  const response = await submit(form, '#save-draft');
  assert.equal(response.status(), 422, 'an invalid answer is refused');
  const input = form.locator(`#v-${ITEM}`);
  assert.equal(await input.getAttribute('aria-invalid'), 'true');
  assert.equal(await input.getAttribute('aria-describedby'), `err-${ITEM}`);
  assert.match(await form.locator(`#err-${ITEM}`).innerText(), /'veel' is geen getal/);
  // The message is next to the field: in the same table cell.
  assert.equal(await form.locator(`tr[data-item="${ITEM}"] td.answer #err-${ITEM}`).count(), 1);
  assert.match(await form.locator('#form-errors').innerText(), /Niet opgeslagen/);
  assert.equal(await form.locator(`#form-errors a[href="#v-${ITEM}"]`).count(), 1, 'the summary links to the field');
  // What was typed is kept, the invalid value as well as the valid ones.
  assert.equal(await input.inputValue(), 'veel');
  assert.equal(await form.locator('#v-vve_children_indicated').inputValue(), '20');
  assert.equal(await form.locator('#v-spuk_structure_effective').inputValue(), '4');
  assert.equal(await form.locator(`textarea[name="e.${ITEM}"]`).inputValue(), 'Toelichting bij de energiebesparing');
  // Nothing was stored.
  assert.equal(await form.locator('[data-status]').first().getAttribute('data-status'), 'not_started');
  await form.screenshot({ path: join(screenshots, 'workspace-form-error.png'), fullPage: true });
  await checkAccessibility(form, 'request form with a validation error');
});

step('the area editor saves a draft, fills in every required item and submits', async () => {
  await form.fill(`#v-${ITEM}`, String(FIGURE));
  let response = await submit(form, '#save-draft');
  assert.equal(response.status(), 200, `saving the draft: ${form.url()}`);
  assert.match(await form.locator('#flash').innerText(), /concept is opgeslagen/);
  assert.equal(await form.locator('[data-status]').first().getAttribute('data-status'), 'draft');
  assert.equal(await form.locator(`#v-${ITEM}`).inputValue(), String(FIGURE));
  assert.equal(await form.locator(`#err-${ITEM}`).count(), 0);

  // Every other item: numbers in the text inputs (the part of item 5 below its total, the percentage 0-100),
  // a rating in each select; the open questions (textareas) stay empty.
  const rows = await form.locator('tr[data-item]').evaluateAll((trs) => trs.map((tr) => {
    const field = tr.querySelector('td.answer [name^="v."]');
    return { id: tr.dataset.item, tag: field.tagName.toLowerCase(), value: field.value };
  }));
  assert.ok(rows.length >= 20, `the form has ${rows.length} items`);
  const numbers = { [ITEM]: String(FIGURE), vve_children_indicated: '20', vve_children_attending: '15', spuk_kw_share_of_effort: '40' };
  for (const row of rows) {
    if (row.tag === 'select') await form.selectOption(`#v-${row.id}`, row.id === 'spuk_structure_effective' ? '4' : '3');
    else if (row.tag === 'input') await form.fill(`#v-${row.id}`, numbers[row.id] ?? '10');
  }
  assert.ok(rows.some((r) => r.tag === 'textarea'), 'the open questions are textareas');
  response = await submit(form, '#submit');
  assert.equal(response.status(), 200, `submitting: ${form.url()}\n${await form.locator('main').innerText().catch(() => '')}`);
  assert.equal(new URL(form.url()).pathname, `/werk/uitvraag/${YEAR}/${AREA}`);
  assert.match(await form.locator('#flash').innerText(), /ingediend/);
  const status = form.locator('[data-status="submitted"]');
  assert.equal(await status.count(), 1, 'status submitted');
  assert.equal((await status.innerText()).trim(), 'ingediend');
  // Submitted answers can no longer be changed by the area; they are shown read-only.
  assert.equal(await form.locator('#submit').count(), 0);
  assert.equal((await form.locator(`[data-answer="${ITEM}"]`).innerText()).trim(), String(FIGURE));
  await form.screenshot({ path: join(screenshots, 'workspace-submitted.png'), fullPage: true });
  // The area editor has no access to the status overview of all areas.
  const other = await editor.newPage();
  const refused = await other.goto(`${base}/werk/uitvraag/${YEAR}`);
  assert.equal(refused.status(), 403, 'an area editor cannot see all areas');
  await other.close();
  await signOut(editor, form);
  await form.close();
  await editor.close();
});

step('the analyst sees the submission in the status overview and accepts it; nothing is public yet', async () => {
  const home = await signIn(analyst, ANALYST);
  await home.close();
  const overview = await open(analyst, `/werk/uitvraag/${YEAR}`);
  const row = overview.locator(`tr[data-area="${AREA}"]`);
  assert.equal(await row.locator('[data-status]').getAttribute('data-status'), 'submitted');
  assert.match(await row.innerText(), new RegExp(EDITOR.email.replace(/[.]/g, '\\.')), 'the row says who submitted');
  assert.equal(await overview.locator('[data-count="submitted"]').innerText(), '1');
  assert.equal(await overview.locator('[data-count="not_started"]').innerText(), '19');
  await overview.screenshot({ path: join(screenshots, 'workspace-status.png'), fullPage: true });
  await checkAccessibility(overview, 'status overview');

  await submit(overview, `tr[data-area="${AREA}"] th a`);
  assert.equal(new URL(overview.url()).pathname, `/werk/uitvraag/${YEAR}/${AREA}`);
  assert.equal((await overview.locator(`[data-answer="${ITEM}"]`).innerText()).trim(), String(FIGURE));
  const response = await submit(overview, '#accept');
  assert.equal(response.status(), 200, `accepting: ${overview.url()}`);
  assert.match(await overview.locator('#flash').innerText(), /geaccepteerd/);
  assert.equal(await overview.locator('[data-status="accepted"]').count(), 1, 'status accepted');
  await overview.close();

  // Accepted but not published: the public figures are unchanged.
  const json = await twin(`/gebied/${AREA}.json`);
  const item = find(json, ITEM);
  assert.ok(!(item.period === String(YEAR) && item.figure?.value === FIGURE),
    `accepted figure already public before publication: ${JSON.stringify({ period: item.period, figure: item.figure })}`);
  assert.ok(!item.series.some((p) => p.period === String(YEAR) && p.area?.value === FIGURE),
    'accepted figure already in the public series before publication');
});

step('the analyst publishes the accepted figures', async () => {
  const page = await open(analyst, `/werk/uitvraag/${YEAR}`);
  const started = Date.now();
  const response = await submit(page, '#publish', 120_000);
  const seconds = (Date.now() - started) / 1000;
  assert.equal(response.status(), 200, `publishing: ${page.url()}\n${await page.locator('main').innerText().catch(() => '')}`);
  assert.equal(new URL(page.url()).pathname, `/werk/uitvraag/${YEAR}`);
  assert.match(await page.locator('#flash').innerText(), /gepubliceerd; het dashboard is bijgewerkt/);
  assert.equal(await page.locator(`tr[data-area="${AREA}"] [data-status]`).getAttribute('data-status'), 'accepted');
  console.log(`# publishing (recomputing the dashboard) took ${seconds.toFixed(1)} s`);
  await page.close();
});

step('the published figure is on the public area page and in its JSON twin', async () => {
  const json = await twin(`/gebied/${AREA}.json`);
  const item = find(json, ITEM);
  assert.equal(item.period, String(YEAR), `period of ${ITEM}: ${JSON.stringify(item.period)}`);
  assert.ok(item.figure, `${ITEM} has a figure`);
  assert.equal(item.figure.value, FIGURE, `${ITEM}: ${JSON.stringify(item.figure)}`);
  assert.ok(item.series.some((p) => p.period === String(YEAR) && p.area?.value === FIGURE), 'the figure is in the series');

  const visitor = await newContext(); // no cookies: the public
  const page = await open(visitor, `/gebied/${AREA}`);
  const cell = page.locator(`td[data-indicator="${ITEM}"]`);
  assert.equal(await cell.count(), 1);
  assert.equal((await cell.innerText()).trim(), String(FIGURE));
  const row = page.locator(`tr:has(td[data-indicator="${ITEM}"])`);
  assert.equal((await row.locator('td').first().innerText()).trim(), String(YEAR), 'the row shows the year');
  await cell.scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(screenshots, 'workspace-area-published.png'), fullPage: true });
  await visitor.close();
});

step('the audit log shows every step, on the page and as CSV', async () => {
  const path = `/werk/audit?gebied=${AREA}&jaar=${YEAR}`;
  const page = await open(analyst, path);
  const actions = await auditActions(page);
  for (const action of ['answer_change', 'save_draft', 'submit', 'accept']) {
    assert.ok(actions.includes(action), `${path} has a ${action} row; it has ${JSON.stringify(actions)}`);
  }
  const change = page.locator(`#audit tbody tr[data-action="answer_change"]:has(td:text-is("${ITEM}"))`);
  assert.ok((await change.count()) >= 1, `an answer_change row for ${ITEM}`);
  assert.match(await change.first().innerText(), new RegExp(`${EDITOR.email.replace(/[.]/g, '\\.')}.*\\b${FIGURE}\\b`, 's'));
  assert.equal(await page.locator('#audit-csv').getAttribute('href'), `/werk/audit.csv?gebied=${AREA}&jaar=${YEAR}`);
  await page.screenshot({ path: join(screenshots, 'workspace-audit.png'), fullPage: true });
  await checkAccessibility(page, 'audit log');
  await page.close();

  // Publishing is about a year, not an area: it is in the unfiltered log.
  const all = await open(analyst, '/werk/audit');
  const allActions = await auditActions(all);
  assert.ok(allActions.includes('publish'), `/werk/audit has a publish row; it has ${JSON.stringify([...new Set(allActions)])}`);
  assert.ok(allActions.includes('round_open'), '/werk/audit has the opening of the round');
  await all.close();

  for (const [query, expected] of [[`?gebied=${AREA}&jaar=${YEAR}`, ['answer_change', 'save_draft', 'submit', 'accept']], ['', ['publish', 'round_open']]]) {
    const response = await analyst.request.get(`${base}/werk/audit.csv${query}`, { maxRedirects: 0 });
    assert.equal(response.status(), 200, `/werk/audit.csv${query}`);
    assert.match(response.headers()['content-type'], /^text\/csv/);
    const rows = parseCsv(await response.text());
    const csvActions = rows.map((r) => r.action);
    for (const action of expected) {
      assert.ok(csvActions.includes(action), `/werk/audit.csv${query} has a ${action} row; it has ${JSON.stringify([...new Set(csvActions)])}`);
    }
    if (query) {
      assert.ok(rows.every((r) => r.area === AREA && r.year === String(YEAR)), 'the CSV is filtered like the page');
      assert.ok(rows.some((r) => r.action === 'answer_change' && r.item === ITEM && r.new_value === String(FIGURE)));
    }
  }
  // Without the analyst's cookies there is no audit log.
  const anonymous = await fetch(`${base}/werk/audit.csv`, { redirect: 'manual' });
  assert.equal(anonymous.status, 303, 'the public is sent to sign in');
  assert.match(anonymous.headers.get('location'), /^\/aanmelden\?next=/);
  await analyst.close();
});

test('the workspace pages have no WCAG 2.1 AA violations (axe-core)', () => {
  const pages = ['sign-in page', 'request form with a validation error', 'status overview', 'audit log'];
  const unchecked = pages.filter((p) => !accessibility.has(p));
  const found = [...accessibility].filter(([, problems]) => problems.length).map(([name, problems]) => `${name}:\n${problems.join('\n')}`);
  assert.deepEqual(found, [], 'axe-core found WCAG 2.1 AA violations');
  assert.deepEqual(unchecked, [], `not checked because an earlier step failed: ${unchecked.join(', ')}`);
});
