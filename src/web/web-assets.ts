import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** One file of the web UI, held in memory from start-up. */
export interface StaticFile {
  body: Buffer;
  /** Present when gzip makes the file meaningfully smaller. */
  gzip?: Buffer;
  contentType: string;
  /** Strong validator: a quoted hash of the body. */
  etag: string;
  /** The short hash that `?v=` must carry for the long-lived cache policy. */
  version: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

const COMPRESSIBLE = /^(text\/|application\/json|image\/svg)/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
/** `"/assets/name"` or `'/assets/name'` inside a page: rewritten to carry the file's version. */
const ASSET_REFERENCE = /(["'])\/assets\/([A-Za-z0-9][A-Za-z0-9._-]*)\1/g;

function toStaticFile(body: Buffer, contentType: string): StaticFile {
  const hash = createHash('sha256').update(body).digest('base64url');
  const gzip = COMPRESSIBLE.test(contentType) && body.length > 512 ? gzipSync(body, { level: 9 }) : undefined;
  return {
    body,
    gzip: gzip && gzip.length < body.length * 0.9 ? gzip : undefined,
    contentType,
    etag: `"${hash.slice(0, 27)}"`,
    version: hash.slice(0, 12),
  };
}

/**
 * Reads every file of one flat directory into memory. Only plain names with a known
 * extension are kept: a request can reach nothing but an entry of the returned map.
 */
export function loadStaticFiles(dir: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  if (!existsSync(dir)) return files; // a build without the UI still serves the API; the pages answer 503
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isFile() || !NAME.test(entry.name) || entry.name.endsWith('.ts')) continue;
    const contentType = CONTENT_TYPES[extname(entry.name).toLowerCase()];
    if (!contentType) continue;
    files.set(entry.name, toStaticFile(readFileSync(join(dir, entry.name)), contentType));
  }
  return files;
}

/** The web UI's pages and assets, loaded once; pages link assets by version so browsers cache them for good. */
export class WebAssets {
  private constructor(
    private readonly assets: Map<string, StaticFile>,
    private readonly pages: Map<string, StaticFile>,
  ) {}

  /** `root` holds `pages/*.html` and `assets/*`. */
  static load(root: string): WebAssets {
    const assets = loadStaticFiles(join(root, 'assets'));
    const pages = new Map<string, StaticFile>();
    for (const [name, file] of loadStaticFiles(join(root, 'pages'))) {
      if (!name.endsWith('.html')) continue;
      const html = file.body.toString('utf8').replace(ASSET_REFERENCE, (match, quote: string, asset: string) => {
        const found = assets.get(asset);
        return found ? `${quote}/assets/${asset}?v=${found.version}${quote}` : match;
      });
      pages.set(name.slice(0, -'.html'.length), toStaticFile(Buffer.from(html, 'utf8'), file.contentType));
    }
    return new WebAssets(assets, pages);
  }

  asset(name: string): StaticFile | undefined {
    return this.assets.get(name);
  }

  page(name: string): StaticFile | undefined {
    return this.pages.get(name);
  }
}
