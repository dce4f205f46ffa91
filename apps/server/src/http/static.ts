import { readFile, stat } from 'node:fs/promises'
import { extname, join, normalize, sep } from 'node:path'
import { promisify } from 'node:util'
import { gzip } from 'node:zlib'
import type { Hono } from 'hono'
import type { AppEnv } from './app.ts'
import { COMPRESS_THRESHOLD_BYTES, isCompressible } from './compression.ts'

const gzipAsync = promisify(gzip)

/** How many gzipped assets stay in memory (a build has well under a hundred; the oldest is dropped first). */
export const GZIP_CACHE_ENTRIES = 256

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
}

const MISSING_BUILD = `<!doctype html><html><head><meta charset="utf-8"><title>Rapport</title></head>
<body><h1>Rapport server is running</h1><p>The web app is not built yet. Run <code>pnpm build</code>
(or <code>pnpm start</code>, which builds first) and reload.</p></body></html>`

const fileStat = async (path: string) => {
  try {
    const info = await stat(path)
    return info.isFile() ? info : null
  } catch {
    return null
  }
}
const isFile = async (path: string): Promise<boolean> => (await fileStat(path)) !== null

/**
 * The gzipped bytes of hashed assets (`/assets/*`, immutable), compressed once per file version rather than on every
 * request: a first visit downloads ~1 MB of JavaScript, which the compression middleware would gzip again for each
 * new browser, on the event loop's time, while the page waits for it (and the socket for the server).
 */
const gzippedAssets = new Map<string, Promise<Buffer>>()
const gzipAsset = (path: string, version: string): Promise<Buffer> => {
  const key = `${path}\0${version}`
  let bytes = gzippedAssets.get(key)
  if (!bytes) {
    bytes = readFile(path).then((body) => gzipAsync(body))
    bytes.catch(() => gzippedAssets.delete(key))
    gzippedAssets.set(key, bytes)
    if (gzippedAssets.size > GZIP_CACHE_ENTRIES) {
      const oldest = gzippedAssets.keys().next().value
      if (oldest !== undefined) gzippedAssets.delete(oldest)
    }
  }
  return bytes
}
const acceptsGzip = (header: string | undefined): boolean => !!header && /\bgzip\b/i.test(header)

/**
 * Serves the built web app from `webDist` for every GET/HEAD outside /api and /collab: real files as they are
 * (hashed assets cached for a year, and gzipped once each: `gzipAsset`), any other path falls back to index.html
 * (SPA routing).
 * When `webDist` is null or has no index.html, a plain page says to run the build.
 */
export const mountStatic = (app: Hono<AppEnv>, webDist: string | null): void => {
  const root = webDist ? normalize(webDist) : null
  app.on(['GET', 'HEAD'], '*', async (c, next) => {
    const path = c.req.path
    if (path === '/api' || path.startsWith('/api/') || path.startsWith('/collab')) return next()
    const index = root ? join(root, 'index.html') : null
    if (!root || !index || !(await isFile(index))) return c.html(MISSING_BUILD)
    let decoded: string
    try {
      decoded = decodeURIComponent(path)
    } catch {
      return c.text('Bad path', 400)
    }
    const candidate = normalize(join(root, decoded))
    const inside = candidate === root || candidate.startsWith(root.endsWith(sep) ? root : root + sep)
    const file = inside && decoded !== '/' ? await fileStat(candidate) : null
    if (file) {
      const immutable = decoded.startsWith('/assets/')
      const type = MIME[extname(candidate).toLowerCase()] ?? 'application/octet-stream'
      const cacheControl = immutable ? 'public, max-age=31536000, immutable' : 'no-cache'
      if (
        immutable &&
        isCompressible(type) &&
        file.size >= COMPRESS_THRESHOLD_BYTES &&
        acceptsGzip(c.req.header('accept-encoding'))
      ) {
        const body = await gzipAsset(candidate, `${file.size}:${file.mtimeMs}`)
        // The compression middleware leaves a response with a Content-Encoding alone.
        return c.body(new Uint8Array(body), 200, {
          'content-type': type,
          'cache-control': cacheControl,
          'content-encoding': 'gzip',
          'content-length': String(body.byteLength),
          vary: 'Accept-Encoding',
        })
      }
      return c.body(await readFile(candidate), 200, { 'content-type': type, 'cache-control': cacheControl })
    }
    if (extname(decoded) !== '' && decoded.startsWith('/assets/')) return c.text('Not found', 404)
    return c.body(await readFile(index), 200, {
      'content-type': MIME['.html'] ?? 'text/html',
      'cache-control': 'no-cache',
    })
  })
}
