// Checks a built trust page in headless Chromium.
//
//   node tests/browser/check.mjs <site-dir> [--screenshot <file.png>]
//
// Serves <site-dir> on 127.0.0.1 (with the strict Content-Security-Policy a host should send),
// opens index.html in the system Chromium (/usr/bin/chromium, or $CHROMIUM), and checks that:
// - the organization name, every in-scope category and the first subprocessor (read from the
//   site's own trust.json) are visible;
// - the console shows no errors, no page errors, no failed requests, no request to another host;
// - the page runs no script at all;
// - axe-core finds zero violations for WCAG 2.0/2.1/2.2 A and AA, in light and dark colour
//   schemes (plus axe's best practices such as heading order and landmarks), and no text whose
//   contrast it cannot verify;
// - the skip link is the first thing keyboard focus reaches;
// - a 375 px wide viewport needs no horizontal scrolling;
// - in print, the content date is in a footer that repeats on every page.
// Saves a screenshot (default: target/trust-page.png at the repository root) and a dark one next to it.
// Exit codes: 0 all good, 1 a check failed, 2 the environment is missing something.

import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const require = createRequire(import.meta.url);

function die(code, msg) {
  console.error(msg);
  process.exit(code);
}

const args = process.argv.slice(2);
const siteArg = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--screenshot');
if (!siteArg) die(2, 'usage: node check.mjs <site-dir> [--screenshot <file.png>]');
const site = path.resolve(siteArg);
const shotIdx = args.indexOf('--screenshot');
const screenshot = shotIdx >= 0 ? path.resolve(args[shotIdx + 1]) : path.join(repo, 'target', 'trust-page.png');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';

if (!fs.existsSync(path.join(site, 'index.html'))) die(2, `${site} has no index.html: build the trust page first`);
if (!fs.existsSync(chromiumPath)) die(2, `Chromium not found at ${chromiumPath}: install it (apt-get install -y chromium) or set CHROMIUM`);

let chromium, axeSource;
try {
  ({ chromium } = require('playwright-core'));
  axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
} catch (e) {
  die(2, `npm packages missing (${e.message}): run \`npm ci\` in tests/browser`);
}

const trust = JSON.parse(fs.readFileSync(path.join(site, 'trust.json'), 'utf8'));
const CSP = "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
const TYPES = {
  '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.webp': 'image/webp',
  '.json': 'application/json', '.xml': 'application/xml', '.atom': 'application/atom+xml', '.txt': 'text/plain; charset=utf-8',
};

const server = http.createServer((req, res) => {
  let p = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  if (p.endsWith('/')) p += 'index.html';
  const file = path.join(site, path.normalize(p));
  if (!file.startsWith(site) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
    return;
  }
  res.writeHead(200, {
    'content-type': TYPES[path.extname(file)] || 'application/octet-stream',
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  });
  fs.createReadStream(file).pipe(res);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const origin = `http://127.0.0.1:${server.address().port}`;

const failures = [];
const fail = (m) => failures.push(m);
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'trustbook-chromium-'));
let context;
try {
  context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
  });
} catch (e) {
  server.close();
  die(2, `cannot start Chromium at ${chromiumPath}: ${e.message}`);
}

async function openPage(colorScheme) {
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()} for ${r.url()}`); });
  await page.route('**/*', (route) => {
    const u = route.request().url();
    if (u.startsWith(origin + '/')) return route.continue();
    problems.push(`request to another host: ${u}`);
    return route.abort();
  });
  await page.emulateMedia({ colorScheme, media: 'screen' });
  await page.goto(origin + '/index.html', { waitUntil: 'load' });
  return { page, problems };
}

async function runAxe(page, label) {
  await page.evaluate(axeSource);
  const run = (opts) => page.evaluate((o) => window.axe.run(document, o), opts);
  const wcag = await run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] }, resultTypes: ['violations', 'incomplete'] });
  // Contrast axe could not decide (text over a gradient or image) counts as a failure: every
  // text colour on the page must be verifiable.
  // (Symbol-only decorations such as the status marks, hidden from assistive technology, are
  // exempt: they use the same colour pairs as the words next to them.)
  for (const v of wcag.incomplete.filter((x) => x.id === 'color-contrast')) {
    const nodes = v.nodes.filter((n) => !(n.any?.[0]?.message ?? '').includes('non-text characters'));
    if (!nodes.length) continue;
    const where = nodes.slice(0, 5).map((n) => `      ${n.target.join(' ')}: ${n.any?.[0]?.message ?? ''}`).join('\n');
    fail(`[${label}] axe could not verify colour contrast of ${nodes.length} element(s)\n${where}`);
  }
  const bp = await run({ runOnly: { type: 'tag', values: ['best-practice'] }, resultTypes: ['violations'] });
  for (const [kind, res] of [['WCAG', wcag], ['best practice', bp]]) {
    for (const v of res.violations) {
      const where = v.nodes.slice(0, 5).map((n) => `      ${n.target.join(' ')}: ${n.failureSummary?.split('\n').slice(1).join('; ')}`).join('\n');
      fail(`[${label}] axe ${kind} violation ${v.id} (${v.impact}): ${v.help}\n${where}`);
    }
  }
}

try {
  // Light scheme: content, scripts, keyboard, axe, screenshot.
  const { page, problems } = await openPage('light');
  const text = await page.evaluate(() => document.body.innerText);
  const expect = [trust.organization.name, ...trust.readiness.categories.map((c) => c.title)];
  if (trust.subprocessors.length) expect.push(trust.subprocessors[0].name);
  for (const e of expect) if (!text.includes(e)) fail(`the page does not show "${e}"`);
  const scripts = await page.evaluate(() => document.scripts.length);
  if (scripts) fail(`the page has ${scripts} <script> element(s); it must run no JavaScript`);
  const lang = await page.evaluate(() => document.documentElement.lang);
  if (!lang) fail('<html> has no lang attribute');

  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => {
    const a = document.activeElement;
    const r = a.getBoundingClientRect();
    return { cls: a.className, href: a.getAttribute('href'), visible: r.top >= 0 && r.bottom <= innerHeight && r.width > 0 };
  });
  if (focused.href !== '#main' || !focused.visible) fail(`the first Tab should reach a visible skip link to #main, got ${JSON.stringify(focused)}`);

  await runAxe(page, 'light');
  fs.mkdirSync(path.dirname(screenshot), { recursive: true });
  await page.keyboard.press('Escape');
  await page.evaluate(() => document.activeElement?.blur());
  await page.screenshot({ path: screenshot, fullPage: true });

  // Print: the footer with the content date is shown and fixed (so it repeats on every page).
  await page.emulateMedia({ media: 'print' });
  const pf = await page.evaluate(() => {
    const el = document.querySelector('.print-footer');
    if (!el) return null;
    const s = getComputedStyle(el);
    return { display: s.display, position: s.position, text: el.textContent };
  });
  if (!pf || pf.display === 'none' || pf.position !== 'fixed' || !pf.text.includes(trust.content_date.slice(0, 4))) {
    fail(`in print, a fixed footer with the content date should repeat on every page; got ${JSON.stringify(pf)}`);
  }
  await page.emulateMedia({ media: 'screen' });

  // Narrow screen: no horizontal scrolling.
  await page.setViewportSize({ width: 375, height: 800 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  if (overflow > 1) fail(`at 375 px wide the page scrolls sideways by ${overflow} px`);
  await runAxe(page, 'light, 375px');
  for (const p of problems) fail(`[light] ${p}`);
  await page.close();

  // Dark scheme.
  const dark = await openPage('dark');
  const scheme = await dark.page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches);
  if (!scheme) fail('dark colour scheme emulation did not apply');
  await runAxe(dark.page, 'dark');
  await dark.page.screenshot({ path: screenshot.replace(/\.png$/, '') + '-dark.png', fullPage: true });
  for (const p of dark.problems) fail(`[dark] ${p}`);
  await dark.page.close();
} catch (e) {
  fail(`the check itself failed: ${e.stack || e}`);
} finally {
  await context.close().catch(() => {});
  server.close();
  fs.rmSync(profile, { recursive: true, force: true });
}

if (failures.length) {
  console.error(`${failures.length} problem(s) on the trust page in ${site}:`);
  for (const f of failures) console.error(`  - ${f}`);
  process.exit(1);
}
console.log(`trust page OK: content, no console errors, no scripts, axe WCAG 2.2 AA clean in light and dark; screenshot ${screenshot}`);
