// Measures the live preview in headless Chromium: save → new content visible, for the trust page
// and for the package, on the example project. Prints figures; asserts nothing about speed.
//
//   cargo build --release
//   node tests/browser/preview-timing.mjs [--bin target/release/trustbook] [--content content] [--runs 10]
//
// Each run saves a narrative the way editors with "atomic save" do (a temp file renamed into
// place), with the page to watch in front (as the page a user looks at), then waits in the browser:
// - trust page: a public narrative gets a new paragraph; measured until the open /trust/ page has
//   reloaded by itself and shows the paragraph (its `load` event, text checked);
// - package: a restricted narrative gets a new paragraph; measured until the open /package/ page
//   has reloaded by itself and Chromium has received the new PDF it embeds (`requestfinished` of
//   the PDF the reloaded page asks for).
// The times include the preview's 150 ms debounce, the rebuild, the event, the reload and the
// transfer; the server's own rebuild times are printed next to them.

import path from 'node:path';
import { arg, launch, loadPlaywright, openPage, repo, startServe, text, until } from './preview-lib.mjs';

const bin = path.resolve(arg('--bin', path.join(repo, 'target', 'release', 'trustbook')));
const content = path.resolve(arg('--content', path.join(repo, 'content')));
const runs = Number(arg('--runs', '10'));
const chromium = loadPlaywright();

const PUBLIC = 'content/narratives/trust-overview.md';
const RESTRICTED = 'content/narratives/overview.md';

const srv = await startServe(bin, content);
const browser = await launch(chromium);
const origin = srv.url;
const stats = { trust: [], trustRequest: [], package: [], trustServer: [], packageServer: [] };

function summary(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const med = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return `median ${med.toFixed(0)} ms, min ${s[0].toFixed(0)} ms, max ${s[s.length - 1].toFixed(0)} ms (${s.length} runs)`;
}

let code = 0;
try {
  await srv.waitLine(/first build: .*\[(check|total)/);
  const ctx = browser.context;
  const trust = await openPage(ctx, origin, '/trust/');
  const pkg = await openPage(ctx, origin, '/package/');
  await until('the event streams', async () => trust.eventStreams > 0 && pkg.eventStreams > 0);
  let trustLoadAt = 0;
  let trustRequestAt = 0;
  trust.page.on('request', (r) => {
    if (r.isNavigationRequest()) trustRequestAt = performance.now();
  });
  let pdfAt = new Map();
  trust.page.on('load', () => {
    trustLoadAt = performance.now();
  });
  pkg.page.on('requestfinished', (r) => {
    if (r.url().includes('.pdf?v=')) pdfAt.set(new URL(r.url()).searchParams.get('v'), performance.now());
  });
  const publicText = srv.read(PUBLIC);
  const restrictedText = srv.read(RESTRICTED);
  for (let i = 1; i <= runs; i++) {
    // Trust page.
    const token = `Timing canary ${i}`;
    let mark = srv.mark();
    const loads = trust.loads;
    await trust.page.bringToFront();
    const t0 = performance.now();
    srv.save(PUBLIC, `${publicText}\nA new paragraph: ${token}.\n`);
    await until('/trust/ to show the new paragraph', async () => trust.loads > loads && (await text(trust)).includes(`${token}.`));
    stats.trust.push(trustLoadAt - t0);
    stats.trustRequest.push(trustRequestAt - t0);
    let line = await srv.waitLine(/trust-overview\.md changed: .*\[check/, mark);
    stats.trustServer.push(Number(/trust page in (\d+) ms/.exec(line)?.[1] ?? NaN));

    // Package.
    const token2 = `Timing canary ${i}`;
    mark = srv.mark();
    // The public edit may have changed the PDF too: let the package page settle on the current one.
    const served = await (await ctx.request.get(`${origin}package/`)).text();
    const v0 = /<object data="([^"]*)"/.exec(served)?.[1];
    await until('/package/ to show the current PDF', async () =>
      (await pkg.page.evaluate(() => document.querySelector('object')?.getAttribute('data'))) === v0);
    const pkgLoads = pkg.loads;
    await pkg.page.bringToFront();
    const p0 = performance.now();
    srv.save(RESTRICTED, `${restrictedText}\nA new paragraph: ${token2}.\n`);
    const v = await until('/package/ to embed a new PDF', async () => {
      if (pkg.loads <= pkgLoads) return null;
      const d = await pkg.page.evaluate(() => document.querySelector('object')?.getAttribute('data'));
      return d && d !== v0 ? new URL(d, origin).searchParams.get('v') : null;
    });
    const at = await until('Chromium to receive the new PDF', async () => pdfAt.get(v));
    stats.package.push(at - p0);
    line = await srv.waitLine(/overview\.md changed: .*\[check/, mark);
    stats.packageServer.push(Number(/package in (\d+) ms/.exec(line)?.[1] ?? NaN));
  }
  const problems = [...trust.problems, ...pkg.problems];
  if (problems.length) {
    console.error(`the pages reported problems:\n  ${problems.join('\n  ')}`);
    code = 1;
  }
  console.log(`trustbook serve, ${path.relative(repo, bin) || bin}, ${runs} runs, save → new content visible in headless Chromium:`);
  console.log(`  trust page (public narrative edited):    ${summary(stats.trust)}; server rebuild of the trust page ${summary(stats.trustServer)}`);
  console.log(`    of which save → the browser asks for the new page: ${summary(stats.trustRequest)}`);
  console.log(`  package (restricted narrative edited):   ${summary(stats.package)}; server rebuild of the PDF ${summary(stats.packageServer)}`);
} catch (e) {
  console.error(`the measurement failed: ${e.stack || e}\n${srv.logs()}`);
  code = 1;
} finally {
  await browser.close();
  await srv.stop();
}
process.exit(code);
