import type { Context, MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'

/** Every request body is capped at 1 MiB unless a route's rule allows more (routes made for uploads). */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024

export interface BodyLimitRule {
  /** HTTP method, e.g. `POST`. */
  method: string
  /** A Hono-style path of the full URL path: `/api/imports/:id`; `*` matches the rest. */
  path: string
  maxBytes: number
}

export interface BodyLimits {
  /** The cap of every route without a rule (default `DEFAULT_MAX_BODY_BYTES`). */
  defaultMaxBytes?: number
  /** Routes with their own cap; the first rule that matches wins. */
  routes?: readonly BodyLimitRule[]
}

const sizeInWords = (bytes: number): string =>
  bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0
    ? `${bytes / (1024 * 1024)} MiB`
    : bytes >= 1024 && bytes % 1024 === 0
      ? `${bytes / 1024} KiB`
      : `${bytes} bytes`

const pathPattern = (path: string): RegExp => {
  const source = path
    .split('/')
    .map((part) =>
      part === '*' ? '.*' : part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('/')
  return new RegExp(`^${source}/?$`)
}

const tooLarge = (maxBytes: number) => (c: Context) =>
  c.json(
    {
      error: {
        code: 'payload_too_large',
        message: `The request body is larger than ${sizeInWords(maxBytes)}, the most this request accepts; it was not read.`,
      },
    },
    413,
  )

/**
 * Caps request bodies before anything reads them; mount it first, before sessions and routes. Hono's `bodyLimit`
 * answers from `Content-Length` without reading the body, and counts a chunked body (no `Content-Length`) as it
 * streams, answering as soon as it passes the cap. Either way the answer is 413 `payload_too_large`;
 * `@hono/node-server` then discards what the client still sends (at most 500 ms or 64 MiB, then the socket closes).
 */
export function bodyLimits(limits: BodyLimits = {}): MiddlewareHandler {
  const cap = (maxBytes: number) => bodyLimit({ maxSize: maxBytes, onError: tooLarge(maxBytes) })
  const fallback = cap(limits.defaultMaxBytes ?? DEFAULT_MAX_BODY_BYTES)
  const rules = (limits.routes ?? []).map((rule) => ({
    method: rule.method.toUpperCase(),
    pattern: pathPattern(rule.path),
    handler: cap(rule.maxBytes),
  }))
  return (c, next) => {
    const rule = rules.find((r) => r.method === c.req.method && r.pattern.test(c.req.path))
    return (rule?.handler ?? fallback)(c, next)
  }
}
