// Shared by preview.mjs (the live-preview checks) and preview-timing.mjs (save → visible figures):
// runs `trustbook serve` on a temporary copy of a content/ folder, drives headless Chromium, and
// records everything a page reports that a user would see as broken.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

export const here = path.dirname(fileURLToPath(import.meta.url));
export const repo = path.resolve(here, '..', '..');
const require = createRequire(import.meta.url);

export function die(code, msg) {
  console.error(msg);
  process.exit(code);
}

/** `--name value` from argv, or `fallback`. */
export function arg(name, fallback) {
  const argv = process.argv.slice(2);
  const i = argv.indexOf(name);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : fallback;
}

export const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';

export function loadPlaywright() {
  if (!fs.existsSync(chromiumPath)) die(2, `Chromium not found at ${chromiumPath}: install it (apt-get install -y chromium) or set CHROMIUM`);
  try {
    return require('playwright-core').chromium;
  } catch (e) {
    return die(2, `npm packages missing (${e.message}): run \`npm ci\` in tests/browser`);
  }
}

/** Starts headless Chromium with the flags the project uses everywhere. */
export async function launch(chromium) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'trustbook-chromium-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1280, height: 900 },
      timeout: 120_000,
    });
  } catch (e) {
    fs.rmSync(profile, { recursive: true, force: true });
    die(2, `cannot start Chromium at ${chromiumPath}: ${e.message}`);
  }
  context.setDefaultTimeout(120_000);
  return {
    context,
    async close() {
      await context.close().catch(() => {});
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Runs `<bin> serve --port 0` on a temporary project holding a copy of `content`. Resolves once the
 * server prints its URL.
 */
export async function startServe(bin, content) {
  if (!fs.existsSync(bin)) die(2, `no trustbook binary at ${bin}: build it first (cargo build)`);
  const project = fs.mkdtempSync(path.join(os.tmpdir(), 'trustbook-preview-'));
  fs.cpSync(content, path.join(project, 'content'), { recursive: true });
  const proc = spawn(bin, ['serve', '--color', 'never', '--port', '0', project], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = [];
  let stderr = '';
  let waiters = [];
  let exited = null;
  const wake = () => {
    waiters = waiters.filter((w) => !w());
  };
  readline.createInterface({ input: proc.stdout }).on('line', (l) => {
    lines.push(l);
    wake();
  });
  proc.stderr.on('data', (d) => {
    stderr += d.toString();
  });
  proc.on('exit', (code, signal) => {
    exited = { code, signal };
    wake();
  });

  const srv = {
    project,
    proc,
    lines,
    get stderr() {
      return stderr;
    },
    /** The index the next stdout line will get (pass it to `waitLine` as `after`). */
    mark() {
      return lines.length;
    },
    /** Waits for a stdout line at index ≥ `after` matching `re`; resolves with the line. */
    waitLine(re, after = 0, timeout = 120_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters = waiters.filter((w) => w !== check);
          reject(new Error(`no line matching ${re} within ${timeout / 1000} s\n${srv.logs()}`));
        }, timeout);
        const check = () => {
          for (let i = after; i < lines.length; i++) {
            if (re.test(lines[i])) {
              clearTimeout(timer);
              resolve(lines[i]);
              return true;
            }
          }
          if (exited) {
            clearTimeout(timer);
            reject(new Error(`trustbook serve exited (${JSON.stringify(exited)})\n${srv.logs()}`));
            return true;
          }
          return false;
        };
        if (!check()) waiters.push(check);
      });
    },
    logs() {
      return `stdout:\n${lines.join('\n')}\nstderr:\n${stderr}`;
    },
    file(rel) {
      return path.join(project, rel);
    },
    read(rel) {
      return fs.readFileSync(srv.file(rel), 'utf8');
    },
    /** Saves like an editor with "atomic save": a temp file renamed into place. */
    save(rel, text) {
      const p = srv.file(rel);
      const tmp = `${p}___jb_tmp___`;
      fs.writeFileSync(tmp, text);
      fs.renameSync(tmp, p);
    },
    get exited() {
      return exited;
    },
    async stop() {
      if (!exited) {
        const gone = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await Promise.race([gone, new Promise((r) => setTimeout(r, 10_000))]);
        if (!exited) proc.kill('SIGKILL');
      }
      fs.rmSync(project, { recursive: true, force: true });
    },
  };
  const line = await srv.waitLine(/http:\/\/127\.0\.0\.1:\d+\//, 0, 60_000).catch(async (e) => {
    await srv.stop();
    throw e;
  });
  srv.url = line.match(/http:\/\/127\.0\.0\.1:\d+\//)[0];
  return srv;
}

/**
 * Opens `url` in a new page and records what a user would see as broken: console errors and
 * warnings, uncaught errors, failed requests, HTTP errors, requests to other hosts. The event
 * stream's request is cancelled by design when the page reloads (the page's script closes it), and
 * so are the files of Chromium's own PDF viewer when the package page reloads while the viewer
 * starts. A request the page itself cancelled by navigating again (the start page reloads once
 * per published stage of a rebuild, which may cut short the icon of the load before) fails with
 * ERR_ABORTED too: it is known by the main-frame navigation that started after it. Those
 * ERR_ABORTED are not problems; every other failure is (a connection the server closes early is
 * ERR_EMPTY_RESPONSE or ERR_CONNECTION_*, and an abort with no later navigation still counts).
 */
export async function openPage(context, origin, pathname) {
  const page = await context.newPage();
  const problems = [];
  const rec = { page, problems, loads: 0, eventStreams: 0, navigating: false };
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${pathname}: console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`${pathname}: page error: ${e.message}`));
  // Main-frame navigations started so far, and the count when each request started.
  let navigations = 0;
  const startedAt = new WeakMap();
  page.on('requestfailed', (r) => {
    const why = r.failure()?.errorText ?? '';
    if (r.url().includes('/__events?') && why.includes('ERR_ABORTED')) return;
    // Cancelled by a later navigation of the page itself (a reload), not by the server.
    if (why.includes('ERR_ABORTED') && startedAt.has(r) && navigations > startedAt.get(r)) return;
    // The PDF viewer's own files, cancelled when the package page reloads while it starts.
    if (/^(chrome|chrome-extension):\/\//.test(r.url()) && why.includes('ERR_ABORTED')) return;
    problems.push(`${pathname}: request failed: ${r.url()} (${why})`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`${pathname}: HTTP ${r.status()} for ${r.url()}`);
  });
  page.on('request', (r) => {
    if (r.isNavigationRequest() && r.frame() === page.mainFrame()) navigations++;
    startedAt.set(r, navigations);
    if (r.url().includes('/__events?')) rec.eventStreams++;
  });
  page.on('load', () => {
    rec.loads++;
  });
  await page.route('**/*', (route) => {
    const u = route.request().url();
    if (u.startsWith(origin)) return route.continue();
    // Chromium's own PDF viewer (an extension with chrome:// resources) shows the package.
    if (/^(chrome|chrome-extension):\/\//.test(u)) return route.continue();
    problems.push(`${pathname}: request to another host: ${u}`);
    return route.abort();
  });
  await page.goto(origin + pathname.replace(/^\//, ''), { waitUntil: 'load' });
  return rec;
}

/** Polls `f` (async; errors count as "not yet", e.g. while a page reloads) until it is truthy. */
export async function until(what, f, timeout = 120_000) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const v = await f();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout / 1000} s waiting for ${what}${last ? ` (last error: ${last.message})` : ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The page's visible text (empty while it is between documents). */
export async function text(rec) {
  return rec.page.evaluate(() => (document.body ? document.body.innerText : '')).catch(() => '');
}
