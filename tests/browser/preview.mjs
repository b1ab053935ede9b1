// Checks the live preview (`trustbook serve`) in headless Chromium, the way a user meets it.
//
//   node tests/browser/preview.mjs [--bin target/debug/trustbook] [--content content] [--shots target]
//
// Serves a temporary copy of <content> (default: the repository's example), opens the start page
// (/), the trust page (/trust/) and the package page (/package/) side by side, and checks that:
// - no page shows a console error or warning, an uncaught error, a failed request, an HTTP error
//   or a request to another host, and each page subscribes to its event stream;
// - editing a public narrative reloads the trust page by itself with the new text, and the start
//   page names the change;
// - editing a restricted narrative reloads the package page by itself (the new PDF carries the new
//   text) and the start page shows the new build, while the trust page (unchanged) stays put;
// - breaking a control file puts the overlay on top of every page: visible, styled by the
//   preview's stylesheet, covering the viewport, naming file:line:column; Hide removes it;
// - fixing the file reloads every page without the overlay, into the fixed build;
// - the server never crashed.
// Saves screenshots of the overlay (<shots>/preview-overlay-*.png).
// Exit codes: 0 all good, 1 a check failed, 2 the environment is missing something.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { arg, die, launch, loadPlaywright, openPage, repo, startServe, text, until } from './preview-lib.mjs';

const bin = path.resolve(arg('--bin', path.join(repo, 'target', 'debug', 'trustbook')));
const content = path.resolve(arg('--content', path.join(repo, 'content')));
const shots = path.resolve(arg('--shots', path.join(repo, 'target')));
const chromium = loadPlaywright();
try {
  execFileSync('pdftotext', ['-v'], { stdio: 'ignore' });
} catch {
  die(2, 'pdftotext not found: install poppler-utils');
}

const failures = [];
const fail = (m) => failures.push(m);
const step = (m) => console.log(`- ${m}`);

const PUBLIC = 'content/narratives/trust-overview.md';
const RESTRICTED = 'content/narratives/overview.md';
const CONTROL = 'content/controls/access.yaml';
const PDF = 'soc2-readiness-package.pdf';

const srv = await startServe(bin, content);
const browser = await launch(chromium);
const origin = srv.url;

/** Fails with every problem the pages recorded so far, then forgets them. */
function report(pages, when) {
  for (const p of pages) {
    for (const x of p.problems.splice(0)) fail(`${when}: ${x}`);
  }
}

/** Waits until `rec` has loaded again (after `loads`) and `ready(text)` holds. */
async function reloaded(rec, loads, what, ready = () => true) {
  try {
    await until(what, async () => rec.loads > loads && ready(await text(rec)));
  } catch (e) {
    const t = await text(rec);
    throw new Error(`${e.message}\n  page ${rec.page.url()}: loads ${loads} → ${rec.loads}, event streams ${rec.eventStreams}, problems ${JSON.stringify(rec.problems)}\n  text: ${t.slice(0, 600)}`);
  }
}

/** The overlay's state on `rec`'s page; a reload in flight (the start page reloads once per stage
 * of a rebuild) destroys the document being read, so the state is read again from the new one. */
async function overlayState(rec) {
  for (let attempt = 0; ; attempt++) {
    try {
      // A document still loading may not have applied its stylesheet yet (the browser would not
      // paint it so, but a script can read it): read the overlay of a loaded document only.
      await rec.page.waitForLoadState('load');
      if (!(await rec.page.evaluate(() => document.readyState === 'complete'))) throw new Error('navigation: still loading');
      return await readOverlay(rec);
    } catch (e) {
      if (attempt >= 20 || !/Execution context was destroyed|navigation/.test(String(e.message))) throw e;
      await rec.page.waitForLoadState('load').catch(() => {});
    }
  }
}

async function readOverlay(rec) {
  return rec.page.evaluate(() => {
    const o = document.getElementById('trustbook-overlay');
    if (!o) return null;
    const r = o.getBoundingClientRect();
    const s = getComputedStyle(o);
    const title = o.querySelector('.trustbook-overlay-title');
    const ts = title ? getComputedStyle(title) : null;
    const pts = [[4, 4], [innerWidth - 4, 4], [innerWidth / 2, innerHeight / 2], [4, innerHeight - 4], [innerWidth - 4, innerHeight - 4]];
    const covered = pts.every(([x, y]) => {
      const e = document.elementFromPoint(x, y);
      return !!e && o.contains(e);
    });
    return {
      rect: [r.left, r.top, r.width, r.height],
      viewport: [document.documentElement.clientWidth, innerHeight],
      position: s.position,
      zIndex: s.zIndex,
      background: s.backgroundColor,
      visible: s.display !== 'none' && s.visibility !== 'hidden' && Number(s.opacity) > 0.9,
      titleWeight: ts?.fontWeight,
      titleColor: ts?.color,
      covered,
      text: o.innerText,
    };
  });
}

function alpha(rgb) {
  const m = /rgba?\(([^)]*)\)/.exec(rgb || '');
  if (!m) return 0;
  const parts = m[1].split(',').map((x) => Number(x.trim()));
  return parts.length === 4 ? parts[3] : 1;
}

async function pdfText(context) {
  const r = await context.request.get(`${origin}package/${PDF}`);
  if (!r.ok()) throw new Error(`GET /package/${PDF}: HTTP ${r.status()}`);
  const file = path.join(os.tmpdir(), `trustbook-preview-${process.pid}.pdf`);
  fs.writeFileSync(file, await r.body());
  try {
    return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8', maxBuffer: 64 << 20 }).replace(/\s+/g, ' ');
  } finally {
    fs.rmSync(file, { force: true });
  }
}

const pdfVersion = (rec) => rec.page.evaluate(() => document.querySelector('object')?.getAttribute('data') ?? '').catch(() => '');

try {
  const ctx = browser.context;
  await srv.waitLine(/first build: .*\[(check|total)/);
  step(`serving at ${origin}; first build done`);

  // 1. The three pages load cleanly and subscribe to their event streams.
  const start = await openPage(ctx, origin, '/');
  const trust = await openPage(ctx, origin, '/trust/');
  const pkg = await openPage(ctx, origin, '/package/');
  const pages = [start, trust, pkg];
  for (const [p, name] of [[start, '/'], [trust, '/trust/'], [pkg, '/package/']]) {
    await until(`${name} to open its event stream`, async () => p.eventStreams > 0);
  }
  if (!(await text(trust)).includes('Our SOC 2 readiness work')) fail('/trust/ does not show the trust page');
  if (!(await text(start)).includes('Readiness score')) fail('/ does not show the readiness summary');
  if (!(await pdfVersion(pkg)).includes(`/package/${PDF}?v=`)) fail('/package/ does not embed the PDF');
  for (const p of pages) {
    if (await overlayState(p)) fail(`${p.page.url()}: an overlay on a good project`);
  }
  report(pages, 'opening /, /trust/ and /package/');
  step('/, /trust/ and /package/ load with no console error and no failed request');

  // 1b. The policy PDFs (a third output): listed on / and on /policies/, which loads cleanly and
  // links PDFs the server answers.
  {
    const pol = await openPage(ctx, origin, '/policies/');
    await until('/policies/ to open its event stream', async () => pol.eventStreams > 0);
    const hrefs = await pol.page.$$eval('#policies-documents a', (as) => as.map((a) => a.getAttribute('href')));
    if (hrefs.length < 2) fail(`/policies/ lists ${hrefs.length} policy PDFs`);
    const onStart = await start.page.$$eval('#policies-documents a', (as) => as.map((a) => a.getAttribute('href')));
    for (const h of hrefs) {
      if (!onStart.includes(h.replace(/\?v=\d+$/, ''))) fail(`/ does not link ${h}`);
    }
    const first = hrefs[0] ?? '';
    const r = await ctx.request.get(origin + first.replace(/^\//, ''));
    if (!r.ok() || r.headers()['content-type'] !== 'application/pdf') fail(`GET ${first}: HTTP ${r.status()} ${r.headers()['content-type']}`);
    report([pol], 'opening /policies/');
    await pol.page.close();
    step(`/policies/ lists ${hrefs.length} policy PDFs, each on / too, with no console error`);
  }

  // 2. A public narrative: the trust page reloads by itself with the new text.
  const token1 = `Preview canary ${process.pid}`;
  const publicText = srv.read(PUBLIC);
  let loads = { start: start.loads, trust: trust.loads, pkg: pkg.loads };
  let mark = srv.mark();
  srv.save(PUBLIC, `${publicText}\nA new paragraph: ${token1}.\n`);
  await reloaded(trust, loads.trust, '/trust/ to reload with the edited public narrative', (t) => t.includes(token1));
  await reloaded(start, loads.start, '/ to name the change', (t) => t.includes(`${PUBLIC} changed`));
  await srv.waitLine(/trust-overview\.md changed: .*\[check/, mark);
  report(pages, 'after editing a public narrative');
  step('editing a public narrative reloads /trust/ with the new text');

  // 3. A restricted narrative: the package reloads; the start page shows the new build.
  const token2 = `Restricted canary ${process.pid}`;
  const restrictedText = srv.read(RESTRICTED);
  loads = { start: start.loads, trust: trust.loads, pkg: pkg.loads };
  const v0 = await pdfVersion(pkg);
  mark = srv.mark();
  srv.save(RESTRICTED, `${restrictedText}\nA new paragraph: ${token2}.\n`);
  await reloaded(pkg, loads.pkg, '/package/ to reload with a new PDF');
  await until('/package/ to embed the new PDF', async () => (await pdfVersion(pkg)) !== v0);
  await reloaded(start, loads.start, '/ to show the new build', (t) => t.includes(`${RESTRICTED} changed`) && /package in \d+ ms/.test(t));
  await srv.waitLine(/overview\.md changed: .*\[check/, mark);
  const pdf = await pdfText(ctx);
  if (!pdf.includes(token2)) fail(`the served PDF lacks the edited restricted narrative ("${token2}")`);
  if (trust.loads !== loads.trust) fail('/trust/ reloaded although a restricted narrative does not change it');
  report(pages, 'after editing a restricted narrative');
  step('editing a restricted narrative reloads /package/ (new PDF with the new text) and /');

  // 4. A broken control file: the overlay on every page.
  const controlText = srv.read(CONTROL);
  const lineNo = controlText.split('\n').findIndex((l) => l.includes('criteria: [CC6.1]')) + 1;
  const col = controlText.split('\n')[lineNo - 1].indexOf('CC6.1') + 1;
  const at = `${CONTROL}:${lineNo}:${col}`;
  loads = { start: start.loads, trust: trust.loads, pkg: pkg.loads };
  srv.save(CONTROL, controlText.replace('criteria: [CC6.1]', 'criteria: [CC9.9]'));
  for (const [p, name, before] of [[start, 'start', loads.start], [trust, 'trust', loads.trust], [pkg, 'package', loads.pkg]]) {
    await reloaded(p, before, `/${name === 'start' ? '' : `${name}/`} to reload with the overlay`, (t) => t.includes('The project has errors'));
    const o = await overlayState(p);
    const where = p.page.url();
    if (!o) {
      fail(`${where}: no overlay`);
      continue;
    }
    const [x, y, w, h] = o.rect;
    const [vw, vh] = o.viewport;
    if (!o.visible || o.position !== 'fixed' || x > 0 || y > 0 || w < vw || h < vh || !o.covered) {
      fail(`${where}: the overlay does not cover the viewport: ${JSON.stringify(o)}`);
    }
    if (Number(o.zIndex) < 1_000_000 || alpha(o.background) < 0.9) fail(`${where}: the overlay is not on top or not opaque: ${JSON.stringify(o)}`);
    if (o.titleWeight !== '600' || o.titleColor !== 'rgb(252, 165, 165)') fail(`${where}: the overlay is not styled by the preview stylesheet: ${JSON.stringify(o)}`);
    if (!o.text.includes(at) || !o.text.includes('CC9.9')) fail(`${where}: the overlay does not name ${at}:\n${o.text}`);
    await p.page.screenshot({ path: path.join(shots, `preview-overlay-${name}.png`) });
    // Hide.
    await p.page.click('#trustbook-overlay .trustbook-overlay-hide');
    const after = await overlayState(p);
    if (after) fail(`${where}: Hide did not remove the overlay: ${JSON.stringify(after)}`);
    const center = await p.page.evaluate(() => document.elementFromPoint(innerWidth / 2, innerHeight / 2)?.closest('#trustbook-overlay') === null);
    if (!center) fail(`${where}: after Hide the page is still covered`);
  }
  if (!(await text(trust)).includes(token1)) fail('/trust/ behind the overlay is not the last good build');
  // The overlay is part of every page while the project is broken: a reload brings it back.
  await trust.page.reload({ waitUntil: 'load' });
  if (!(await overlayState(trust))) fail('/trust/: the overlay is not back after reloading a broken project');
  report(pages, 'after breaking a control file');
  step(`a broken control file shows the overlay naming ${at} on every page; Hide removes it`);

  // 5. Fixed: every page reloads into the fixed build, without the overlay.
  loads = { start: start.loads, trust: trust.loads, pkg: pkg.loads };
  mark = srv.mark();
  srv.save(CONTROL, controlText);
  await reloaded(trust, loads.trust, '/trust/ to reload without the overlay', (t) => t.includes(token1) && !t.includes('The project has errors'));
  await reloaded(start, loads.start, '/ to reload without errors', (t) => t.includes(`${CONTROL} changed`) && !t.includes('Check: errors'));
  await reloaded(pkg, loads.pkg, '/package/ to reload without the overlay', (t) => !t.includes('The project has errors'));
  await srv.waitLine(/access\.yaml changed: .*\[check/, mark);
  for (const p of pages) {
    if (await overlayState(p)) fail(`${p.page.url()}: the overlay is still there after the fix`);
  }
  report(pages, 'after fixing the control file');
  step('fixing the file reloads every page without the overlay');
} catch (e) {
  fail(`the check itself failed: ${e.stack || e}`);
} finally {
  await browser.close();
  if (srv.exited) fail(`trustbook serve exited: ${JSON.stringify(srv.exited)}`);
  if (/panicked/.test(srv.stderr)) fail(`trustbook serve panicked:\n${srv.stderr}`);
  await srv.stop();
}

if (failures.length) {
  console.error(`${failures.length} problem(s) with the live preview:`);
  for (const f of failures) console.error(`  - ${f}`);
  console.error(srv.logs());
  process.exit(1);
}
console.log('live preview OK in Chromium: clean pages, reloads on public and restricted edits, overlay on top with file:line, Hide, recovery');
