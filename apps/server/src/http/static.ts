import { readFile, stat } from 'node:fs/promises'
import { extname, join, normalize, sep } from 'node:path'
import { promisify } from 'node:util'
import { brotliCompress, constants, gzip } from 'node:zlib'
import type { Context, Hono } from 'hono'
import type { AppEnv } from './app.ts'
import { COMPRESS_THRESHOLD_BYTES, isCompressible } from './compression.ts'

const brotli = promisify(brotliCompress)
const gzipAsync = promisify(gzip)

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

const isFile = async (path: string): Promise<boolean> => {
  try {
    return (await stat(path)).isFile()
  } catch {
    return false
  }
}

type Encoding = 'br' | 'gzip'

/** The encoding a hashed asset is sent in for this Accept-Encoding: brotli, else gzip, else none. */
export const assetEncoding = (acceptEncoding: string | undefined): Encoding | null => {
  const accepted = new Set<string>()
  for (const part of (acceptEncoding ?? '').split(',')) {
    const [name = '', ...params] = part.split(';').map((p) => p.trim().toLowerCase())
    const q = params.find((p) => p.startsWith('q='))
    if (name && (q === undefined || Number(q.slice(2)) > 0)) accepted.add(name)
  }
  if (accepted.has('br')) return 'br'
  if (accepted.has('gzip') || accepted.has('*')) return 'gzip'
  return null
}

/**
 * Compressed copies of the hashed assets (`/assets/*`, never changed under the same name), made once per file and
 * encoding off the event loop (zlib's thread pool) and kept: the main bundle and the account room's chunk are sent
 * on every first visit, and compressing them per request (the `compression` middleware's stream) cost the server
 * tens of milliseconds each on the path to the first render. Brotli at quality 9: ~20% smaller than gzip,
 * a few hundred ms once per file.
 */
class AssetCompressor {
  private readonly copies = new Map<string, Promise<Buffer>>()
  /** The copies made, by the same key: sent without touching the disk. */
  private readonly made = new Map<string, Buffer>()

  /** The copy of `path` in `encoding`, when it has been made. */
  ready(path: string, encoding: Encoding): Buffer | undefined {
    return this.made.get(`${encoding} ${path}`)
  }

  get(path: string, body: Buffer, encoding: Encoding): Promise<Buffer> {
    const key = `${encoding} ${path}`
    let copy = this.copies.get(key)
    if (!copy) {
      copy =
        encoding === 'br'
          ? brotli(body, {
              params: {
                [constants.BROTLI_PARAM_QUALITY]: 9,
                [constants.BROTLI_PARAM_SIZE_HINT]: body.byteLength,
                [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
              },
            })
          : gzipAsync(body, { level: 9 })
      // A failure is not kept: the next request tries again (this one is sent as it is).
      copy.then(
        (made) => this.made.set(key, made),
        () => this.copies.delete(key),
      )
      this.copies.set(key, copy)
    }
    return copy
  }
}

const compressedAsset = (c: Context, body: Buffer, encoding: Encoding, type: string | undefined): Response =>
  c.body(new Uint8Array(body), 200, {
    'content-type': type ?? 'application/octet-stream',
    'cache-control': 'public, max-age=31536000, immutable',
    'content-encoding': encoding,
    'content-length': String(body.byteLength),
    vary: 'Accept-Encoding',
  })

/**
 * Serves the built web app from `webDist` for every GET/HEAD outside /api and /collab: real files as they are
 * (hashed assets cached for a year), any other path falls back to index.html (SPA routing).
 * When `webDist` is null or has no index.html, a plain page says to run the build.
 */
export const mountStatic = (app: Hono<AppEnv>, webDist: string | null): void => {
  const root = webDist ? normalize(webDist) : null
  const compressor = new AssetCompressor()
  app.on(['GET', 'HEAD'], '*', async (c, next) => {
    const path = c.req.path
    if (path === '/api' || path.startsWith('/api/') || path.startsWith('/collab')) return next()
    // A hashed asset already compressed goes out at once, in this tick: no file system round trip during which
    // other work (a document loading for a first visit's room state) could hold the event loop.
    const encoding =
      root && path.startsWith('/assets/') ? assetEncoding(c.req.header('accept-encoding')) : null
    const made = encoding ? compressor.ready(path, encoding) : undefined
    if (encoding && made) return compressedAsset(c, made, encoding, MIME[extname(path).toLowerCase()])
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
    if (inside && decoded !== '/' && (await isFile(candidate))) {
      const body = await readFile(candidate)
      const immutable = decoded.startsWith('/assets/')
      const type = MIME[extname(candidate).toLowerCase()] ?? 'application/octet-stream'
      const headers: Record<string, string> = {
        'content-type': type,
        'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      }
      const encoding = assetEncoding(c.req.header('accept-encoding'))
      if (immutable && encoding && isCompressible(type) && body.byteLength >= COMPRESS_THRESHOLD_BYTES) {
        // Keyed by the request's path, which the early answer above looks up.
        const compressed = await compressor.get(path, body, encoding).catch(() => null)
        if (compressed) return compressedAsset(c, compressed, encoding, type)
      }
      return c.body(body, 200, headers)
    }
    if (extname(decoded) !== '' && decoded.startsWith('/assets/')) return c.text('Not found', 404)
    return c.body(await readFile(index), 200, {
      'content-type': MIME['.html'] ?? 'text/html',
      'cache-control': 'no-cache',
    })
  })
}
