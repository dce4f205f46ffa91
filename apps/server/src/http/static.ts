import { readFile, stat } from 'node:fs/promises'
import { extname, join, normalize, sep } from 'node:path'
import type { Hono } from 'hono'
import type { AppEnv } from './app.ts'

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

/**
 * Serves the built web app from `webDist` for every GET/HEAD outside /api and /collab: real files as they are
 * (hashed assets cached for a year), any other path falls back to index.html (SPA routing).
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
    if (inside && decoded !== '/' && (await isFile(candidate))) {
      const body = await readFile(candidate)
      const immutable = decoded.startsWith('/assets/')
      return c.body(body, 200, {
        'content-type': MIME[extname(candidate).toLowerCase()] ?? 'application/octet-stream',
        'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      })
    }
    if (extname(decoded) !== '' && decoded.startsWith('/assets/')) return c.text('Not found', 404)
    return c.body(await readFile(index), 200, {
      'content-type': MIME['.html'] ?? 'text/html',
      'cache-control': 'no-cache',
    })
  })
}
