import type { MiddlewareHandler } from 'hono'
import { COMPRESSIBLE_CONTENT_TYPE_REGEX, compress } from 'hono/compress'

/** Responses smaller than this are sent as they are (gzip would save little and cost a round of zlib). */
export const COMPRESS_THRESHOLD_BYTES = 1024

/**
 * Text worth compressing: JSON, text, HTML, JavaScript, CSS, CSV… (Hono's list). Never Server-Sent Events — the change
 * feed streams and a compressor would hold its events back — and never a zip (already compressed; not in the list).
 */
export const isCompressible = (contentType: string): boolean =>
  !/^\s*text\/event-stream/i.test(contentType) && COMPRESSIBLE_CONTENT_TYPE_REGEX.test(contentType)

const acceptsCompression = (header: string | undefined): boolean =>
  !!header && /gzip|deflate|\*/i.test(header)

/**
 * Gives an in-memory response (c.json, c.text, c.html, a static file) its Content-Length, so `compress` can leave the
 * small ones alone: Hono sets none, and without it every response would be compressed. Downloads (attachments: CSV
 * exports, failed rows of an import) stream and are left unbuffered; streams (SSE) carry Transfer-Encoding.
 */
const knownLength: MiddlewareHandler = async (c, next) => {
  await next()
  const res = c.res
  const type = res.headers.get('content-type')
  if (
    !res.body ||
    c.req.method === 'HEAD' ||
    !acceptsCompression(c.req.header('accept-encoding')) ||
    !type ||
    !isCompressible(type) ||
    res.headers.has('content-length') ||
    res.headers.has('content-encoding') ||
    res.headers.has('transfer-encoding') ||
    /^\s*attachment/i.test(res.headers.get('content-disposition') ?? '')
  )
    return
  const bytes = new Uint8Array(await res.arrayBuffer())
  const sized = new Response(bytes, res)
  sized.headers.set('content-length', String(bytes.byteLength))
  c.res = sized
}

/**
 * gzip (or deflate) for text responses of at least COMPRESS_THRESHOLD_BYTES when the client accepts it
 * (docs/schema.md "HTTP conventions"). Registered before the routes; `Vary: Accept-Encoding` is set on what it could
 * compress.
 */
export const compression = (): MiddlewareHandler[] => [
  compress({ threshold: COMPRESS_THRESHOLD_BYTES, contentTypeFilter: isCompressible }),
  knownLength,
]
