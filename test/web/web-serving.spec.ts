import * as path from 'node:path';
import { call, startApp, TestApp } from '../support/app';
import { createTestDatabase, dropTestDatabase } from '../support/database';
import { loadStaticFiles, WebAssets } from '../../src/web/web-assets';

describe('web UI assets', () => {
  const root = path.join(__dirname, '..', '..', 'src', 'web');

  it('loads every asset the pages reference and links it by version', () => {
    const web = WebAssets.load(root);
    for (const name of ['board', 'incident']) {
      const html = web.page(name)!.body.toString('utf8');
      const references = [...html.matchAll(/["']\/assets\/([^"'?]+)(\?v=([^"']+))?["']/g)];
      expect(references.length).toBeGreaterThan(2);
      for (const [, asset, , version] of references) {
        expect(web.asset(asset)?.version).toBe(version);
      }
      expect(html).toContain('/socket.io/socket.io.js');
    }
  });

  it('keeps only plain names with known types, so nothing else is reachable', () => {
    const assets = loadStaticFiles(path.join(root, 'assets'));
    expect([...assets.keys()].sort()).toEqual(
      expect.arrayContaining(['board.js', 'common.js', 'incident.js', 'sitrep.css']),
    );
    expect([...assets.keys()].every((name) => /^[A-Za-z0-9][\w.-]*$/.test(name) && !name.endsWith('.ts'))).toBe(true);
    expect(assets.get('sitrep.css')?.contentType).toBe('text/css; charset=utf-8');
    expect(loadStaticFiles(root).has('web.controller.ts')).toBe(false);
  });

  it('starts without the UI files rather than failing the whole service', () => {
    const web = WebAssets.load(path.join(root, 'no-such-dir'));
    expect(web.page('board')).toBeUndefined();
    expect(web.asset('common.js')).toBeUndefined();
  });
});

describe('web UI over HTTP', () => {
  let databaseUrl: string;
  let instance: TestApp;
  let url: string;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase('web_http');
    instance = await startApp(databaseUrl);
    url = instance.url;
  });
  afterAll(async () => {
    await instance?.close();
    await dropTestDatabase(databaseUrl);
  });

  it('serves the board at / without a token, never cached stale, with a strict CSP', async () => {
    const res = await call(url, 'GET', '/', { token: null });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.text).toContain('id="open-rows"');
    const again = await call(url, 'GET', '/', { token: null, headers: { 'if-none-match': res.headers.get('etag')! } });
    expect(again.status).toBe(304);
  });

  it('serves the incident page for an incident id and 404s anything else', async () => {
    const page = await call(url, 'GET', '/incidents/0b9d6c1e-4a1f-4c47-9a54-1f6a3b0c2d11', { token: null });
    expect(page.status).toBe(200);
    expect(page.text).toContain('id="timeline"');
    const bad = await call(url, 'GET', '/incidents/42', { token: null });
    expect(bad.status).toBe(404);
    expect(bad.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
  });

  it('serves assets with their type; versioned links are cacheable for good, others revalidate', async () => {
    const html = (await call(url, 'GET', '/', { token: null })).text;
    const cssLink = /href="(\/assets\/sitrep\.css\?v=[^"]+)"/.exec(html)![1];
    const versioned = await call(url, 'GET', cssLink, { token: null });
    expect(versioned.status).toBe(200);
    expect(versioned.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(versioned.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');

    const plain = await call(url, 'GET', '/assets/common.js', { token: null, headers: { 'accept-encoding': 'gzip' } });
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(plain.headers.get('content-encoding')).toBe('gzip');
    expect(plain.headers.get('cache-control')).toBe('no-cache');
    expect(plain.text).toContain('window.Sitrep');
    const stale = await call(url, 'GET', '/assets/common.js?v=old', { token: null });
    expect(stale.headers.get('cache-control')).toBe('no-cache');
    const notModified = await call(url, 'GET', '/assets/common.js', {
      token: null,
      headers: { 'if-none-match': plain.headers.get('etag')! },
    });
    expect(notModified.status).toBe(304);
  });

  it('reaches nothing outside the assets: traversal and source files are 404', async () => {
    for (const p of [
      '/assets/..%2Fweb.controller.ts',
      '/assets/%2e%2e%2fweb-assets.ts',
      '/assets/..%5Cweb.module.ts',
      '/assets/web-assets.ts',
      '/assets/',
      '/assets/nope.js',
    ]) {
      const res = await call(url, 'GET', p, { token: null });
      expect([p, res.status]).toEqual([p, 404]);
      expect(res.text).not.toContain('import ');
    }
  });

  it('serves the socket.io browser client the pages load, and keeps the pages out of the API document', async () => {
    const client = await call(url, 'GET', '/socket.io/socket.io.js', { token: null });
    expect(client.status).toBe(200);
    expect(client.headers.get('content-type')).toMatch(/javascript/);
    const doc = await call(url, 'GET', '/docs-json', { token: null });
    expect(Object.keys(doc.body.paths)).not.toEqual(expect.arrayContaining(['/']));
    expect(Object.keys(doc.body.paths).some((p) => p.startsWith('/assets') || p.startsWith('/incidents'))).toBe(false);
  });
});
