// Shared set-up of the DSP browser tests: builds test/dsp-page with Vite in production mode
// (minified, the worklet bundled through `?worker&url` as an app would), serves it over HTTP on
// 127.0.0.1 — under /iso/ with COOP/COEP (cross-origin isolated: SharedArrayBuffer) and under
// /plain/ without — and drives it in headless Chromium.
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { launchChromium } from '@tidewire/testkit';
import type { LaunchedBrowser } from '@tidewire/testkit';
import type { LiveResult, LiveSpec, RenderResult, RenderSpec } from './dsp-page/main.ts';

export const PAGE_DIR = fileURLToPath(new URL('./dsp-page/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
};

export async function buildPage(outDir: string): Promise<void> {
  await build({
    root: PAGE_DIR,
    base: './',
    configFile: false,
    logLevel: 'warn',
    mode: 'production',
    build: { outDir, emptyOutDir: true, target: 'es2022', minify: true, reportCompressedSize: false },
    worker: { format: 'es' },
  });
}

function serve(dir: string): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const m = /^\/(iso|plain)(\/.*)$/.exec(url.pathname);
    if (!m) {
      res.writeHead(404).end();
      return;
    }
    const rel = normalize(m[2] === '/' ? '/index.html' : m[2]);
    if (rel.includes('..')) {
      res.writeHead(400).end();
      return;
    }
    const headers: Record<string, string> = { 'content-type': TYPES[extname(rel)] ?? 'application/octet-stream', 'cache-control': 'no-store' };
    if (m[1] === 'iso') {
      headers['cross-origin-opener-policy'] = 'same-origin';
      headers['cross-origin-embedder-policy'] = 'require-corp';
    }
    readFile(join(dir, rel)).then(
      (body) => res.writeHead(200, headers).end(body),
      () => res.writeHead(404).end(),
    );
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      resolve({ server, origin: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}` });
    });
  });
}

export interface Rendered {
  channels: Float32Array[];
  result: RenderResult;
}

export interface Harness {
  browser: LaunchedBrowser;
  origin: string;
  /** Where the production build of the page went. */
  outDir: string;
  /** Opens the page under /iso/ or /plain/ (once per mode; later calls reuse it). */
  open(mode: 'iso' | 'plain'): Promise<void>;
  render(spec: RenderSpec): Promise<Rendered>;
  live(spec: LiveSpec): Promise<LiveResult>;
  expectError(spec: RenderSpec): Promise<{ code: string | null; message: string }>;
  close(): Promise<void>;
}

export function decode(b64: string): Float32Array {
  const buf = Buffer.from(b64, 'base64');
  const out = new Float32Array(buf.length / 4);
  new Uint8Array(out.buffer).set(buf);
  return out;
}

export async function startHarness(): Promise<Harness> {
  const outDir = await mkdtemp(join(tmpdir(), 'signal-lab-dsp-page-'));
  await buildPage(outDir);
  const { server, origin } = await serve(outDir);
  const browser = await launchChromium({ extraFlags: ['--autoplay-policy=no-user-gesture-required'] });
  let current: string | null = null;
  const harness: Harness = {
    browser,
    origin,
    outDir,
    async open(mode) {
      if (current === mode) return;
      await browser.page.goto(`${origin}/${mode}/`);
      await browser.page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready', undefined, { timeout: 15_000 });
      current = mode;
    },
    async render(spec) {
      if (current === null) await harness.open('iso');
      const result = await browser.page.evaluate((s) => window.labTest.render(s), spec);
      return { channels: result.channels.map(decode), result };
    },
    async live(spec) {
      return browser.page.evaluate((s) => window.labTest.live(s), spec);
    },
    async expectError(spec) {
      return browser.page.evaluate((s) => window.labTest.expectError(s), spec);
    },
    async close() {
      await browser.close();
      await new Promise<void>((r) => server.close(() => r()));
      await rm(outDir, { recursive: true, force: true });
    },
  };
  return harness;
}
