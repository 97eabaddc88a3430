// The e2e harness: a real candor on an ephemeral port with its own data
// directory, Debian's Chromium driven headless by playwright-core, and
// small helpers that wait on page conditions (never on time).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, createReadStream, statSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const SKIP = 77;
export const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
export const webDir = path.join(repo, 'web');
export const distDir = path.join(webDir, 'dist');
export const chromiumPath = process.env.CANDOR_E2E_CHROMIUM ?? '/usr/bin/chromium';

export const kCsp =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "object-src 'none'; base-uri 'none'; frame-ancestors *";

export function skip(why) {
  console.log(`SKIP: ${why}`);
  process.exit(SKIP);
}

// playwright-core from web/node_modules (installed by scripts/setup).
export async function loadPlaywright() {
  const entry = path.join(webDir, 'node_modules', 'playwright-core', 'index.mjs');
  if (!existsSync(entry)) skip('web/node_modules/playwright-core is missing (run scripts/setup)');
  if (!existsSync(chromiumPath)) skip(`${chromiumPath} is missing (apt-get install chromium, or run scripts/setup)`);
  if (!existsSync(path.join(distDir, 'chat.html'))) skip('web/dist is not built (run make web)');
  return import(pathToFileURL(entry).href);
}

export async function launchBrowser(playwright) {
  return playwright.chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

function run(binary, args, input) {
  const r = spawnSync(binary, args, { input, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`candor ${args.join(' ')} exited ${r.status}: ${r.stdout}${r.stderr}`);
  return r.stdout;
}

// Starts `candor serve` on port 0 and reads the port from its first line.
export class Candor {
  static async start(binary, { demo = true, agents = [], kbDir = null, name = 'candor' } = {}) {
    const data = mkdtempSync(path.join(os.tmpdir(), `candor-e2e-${name}-`));
    for (const a of agents) run(binary, ['agent', 'add', a.name, '--role', a.role, '--data', data], `${a.password}\n`);
    if (kbDir) run(binary, ['kb', 'import', kbDir, '--data', data]);
    const help = spawnSync(binary, ['serve', '--help'], { encoding: 'utf8' }).stdout ?? '';
    const args = ['serve', '--port', '0', '--data', data];
    if (demo) args.push('--demo');
    if (/--web\b/.test(help)) args.push('--web', distDir);
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
      if (stderr.length > 200000) stderr = stderr.slice(-100000);
    });
    const port = await new Promise((resolve, reject) => {
      let out = '';
      const onData = (d) => {
        out += d;
        const line = out.split('\n')[0];
        if (out.includes('\n')) {
          child.stdout.off('data', onData);
          const m = /^candor listening on .*:(\d+)\s*$/.exec(line);
          m ? resolve(Number(m[1])) : reject(new Error(`unexpected first line: ${line}\n${stderr}`));
        }
      };
      child.stdout.on('data', onData);
      child.on('exit', (code) => reject(new Error(`candor exited ${code} before listening:\n${stderr}`)));
    });
    child.stdout.resume();
    const c = new Candor(child, port, data, () => stderr);
    await c.attachFrontEnd();
    return c;
  }

  constructor(child, port, data, stderr) {
    this.child = child;
    this.port = port;
    this.data = data;
    this.stderr = stderr;
    this.api = `http://127.0.0.1:${port}`;
    this.base = this.api;
    this.proxy = null;
  }

  // candor serves web/dist itself; a candor without the static routes gets a
  // small stand-in in front of it that serves web/dist under the same
  // Content-Security-Policy and passes everything else through.
  async attachFrontEnd() {
    const probe = await fetch(`${this.api}/chat`).catch(() => null);
    const type = probe?.headers.get('content-type') ?? '';
    if (probe?.ok && type.includes('text/html')) return;
    console.log('# this candor does not serve /chat yet: serving web/dist beside it under the same CSP');
    this.proxy = await staticProxy(this.port);
    this.base = `http://127.0.0.1:${this.proxy.address().port}`;
  }

  async stop() {
    this.proxy?.close();
    if (this.child.exitCode === null) {
      const exited = new Promise((r) => this.child.once('exit', r));
      this.child.kill('SIGTERM');
      await exited;
    }
    rmSync(this.data, { recursive: true, force: true });
  }

  async call(method, route, token, body) {
    const headers = {};
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const r = await fetch(this.api + route, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    let json = null;
    try {
      json = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: r.status, json, text };
  }
}

const kTypes = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png' };

function staticProxy(candorPort) {
  const pages = { '/chat': 'chat.html', '/agent': 'agent.html', '/admin': 'admin.html', '/widget.js': 'widget.js' };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    let file = pages[url.pathname];
    if (!file && url.pathname.startsWith('/assets/') && !url.pathname.includes('..')) file = url.pathname.slice(1);
    if (file) {
      const full = path.join(distDir, file);
      if (!existsSync(full) || !statSync(full).isFile()) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, {
        'Content-Type': kTypes[path.extname(full)] ?? 'application/octet-stream',
        'Content-Security-Policy': kCsp,
        'X-Content-Type-Options': 'nosniff',
      });
      createReadStream(full).pipe(res);
      return;
    }
    const upstream = http.request(
      { host: '127.0.0.1', port: candorPort, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

// Records what must never happen on a page: a dialog, a script run by a
// payload (window.__xssRan), or a blocked inline script (CSP violation).
export function guard(page, problems) {
  page.on('dialog', async (d) => {
    problems.push(`dialog opened: ${d.type()} ${d.message()}`);
    await d.dismiss().catch(() => {});
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  return page.addInitScript(() => {
    window.__xssRan = [];
    for (const name of ['alert', 'confirm', 'prompt', 'print']) {
      const original = window[name];
      window[name] = function (...a) {
        window.__xssRan.push(`${name}(${a.join(',')})`);
        return original.apply(this, a);
      };
    }
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__xssRan.push(`csp violation: ${e.violatedDirective} ${e.blockedURI}`);
    });
  });
}

export async function scriptsRan(page) {
  return page.evaluate(() => window.__xssRan ?? []);
}

export function screenshotDir() {
  const dir = path.join(repo, 'build', 'e2e');
  mkdirSync(dir, { recursive: true });
  return dir;
}

export async function shot(page, name) {
  await page.screenshot({ path: path.join(screenshotDir(), `${name}.png`), fullPage: true });
}

export function readPayloads() {
  const dir = path.resolve(repo, '..', 'shared', 'data', 'xss-payloads');
  if (!existsSync(dir)) return null;
  const lines = [];
  for (const f of ['xss_payloads_quick.txt', 'xss_polyglots.txt']) {
    const p = path.join(dir, f);
    if (!existsSync(p)) continue;
    for (const line of readFileSync(p, 'utf8').split('\n')) if (line.trim()) lines.push(line.replace(/\r$/, ''));
  }
  return lines;
}

// Every visible piece of text on the page whose contrast against its
// background is below WCAG 2.1 AA: 4.5:1, or 3:1 for large text (24 px, or
// 18.66 px bold). The background is the nearest ancestor's opaque colour
// (white at the root); text over images or gradients is not judged.
export async function contrastFailures(page) {
  return page.evaluate(() => {
    const parse = (c) => {
      const m = c.match(/rgba?\(([^)]+)\)/);
      if (!m) return null;
      const [r, g, b, a = 1] = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
      return { r, g, b, a };
    };
    const lum = ({ r, g, b }) => {
      const ch = (v) => {
        v /= 255;
        return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * ch(r) + 0.7152 * ch(g) + 0.0722 * ch(b);
    };
    const background = (el) => {
      for (let e = el; e; e = e.parentElement) {
        const style = getComputedStyle(e);
        if (style.backgroundImage && style.backgroundImage !== 'none') return null;
        const c = parse(style.backgroundColor);
        if (c && c.a >= 0.99) return c;
      }
      return { r: 255, g: 255, b: 255, a: 1 };
    };
    const failures = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const seen = new Set();
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      if (!el || seen.has(el) || !node.textContent.trim()) continue;
      seen.add(el);
      const style = getComputedStyle(el);
      const rect = el.getBoundingClientRect();
      if (style.visibility === 'hidden' || style.display === 'none' || rect.width === 0 || rect.height === 0) continue;
      if (el.closest('[aria-hidden="true"]')) continue;
      const fg = parse(style.color);
      const bg = background(el);
      if (!fg || !bg) continue;
      // Semi-transparent text blends with its background.
      const blended = { r: fg.r * fg.a + bg.r * (1 - fg.a), g: fg.g * fg.a + bg.g * (1 - fg.a), b: fg.b * fg.a + bg.b * (1 - fg.a) };
      const [hi, lo] = [lum(blended), lum(bg)].sort((x, y) => y - x);
      const ratio = (hi + 0.05) / (lo + 0.05);
      const size = parseFloat(style.fontSize);
      const bold = Number(style.fontWeight) >= 700;
      const large = size >= 24 || (bold && size >= 18.66);
      const needed = large ? 3 : 4.5;
      if (ratio + 1e-6 < needed) {
        failures.push(`"${node.textContent.trim().slice(0, 40)}" ${ratio.toFixed(2)}:1 < ${needed}:1 (${style.color} on rgb(${bg.r}, ${bg.g}, ${bg.b}))`);
      }
    }
    return failures;
  });
}
