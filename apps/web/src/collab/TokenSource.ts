export interface IssuedToken {
  token: string
  expiresAt: number
}

/** Refresh a token this long before it expires. */
export const TOKEN_REFRESH_MARGIN_MS = 60_000

/** True when a cached token must not be handed out any more. */
export function tokenNeedsRefresh(
  token: IssuedToken | null,
  now: number,
  marginMs = TOKEN_REFRESH_MARGIN_MS,
) {
  return token === null || token.expiresAt - now <= marginMs
}

/** Delay until a token should be refreshed in the background (never negative, at least 1 s). */
export function refreshDelay(token: IssuedToken, now: number, marginMs = TOKEN_REFRESH_MARGIN_MS): number {
  return Math.max(1_000, token.expiresAt - now - marginMs)
}

/**
 * Caches the short-lived collaboration token, de-duplicates concurrent fetches and refreshes it in the
 * background shortly before it expires, so a reconnect always has a valid token at hand.
 */
export class TokenSource {
  private current: IssuedToken | null = null
  private inflight: Promise<string> | null = null
  private timer: ReturnType<typeof setTimeout> | null = null
  private disposed = false

  constructor(
    private readonly fetchToken: () => Promise<IssuedToken>,
    private readonly now: () => number = Date.now,
  ) {}

  /** A valid token; fetches a new one when the cached one is missing or about to expire. */
  get(): Promise<string> {
    if (!tokenNeedsRefresh(this.current, this.now()) && this.current)
      return Promise.resolve(this.current.token)
    if (this.inflight) return this.inflight
    const p = this.fetchToken()
      .then((t) => {
        this.current = t
        this.schedule(t)
        return t.token
      })
      .finally(() => {
        this.inflight = null
      })
    this.inflight = p
    return p
  }

  /** Forget the cached token (e.g. after the server rejected it). */
  invalidate(): void {
    this.current = null
  }

  dispose(): void {
    this.disposed = true
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    this.current = null
  }

  private schedule(t: IssuedToken): void {
    if (this.disposed) return
    if (this.timer) clearTimeout(this.timer)
    this.timer = setTimeout(
      () => {
        this.current = null
        this.get().catch(() => {
          // A failed background refresh is retried on the next get().
        })
      },
      refreshDelay(t, this.now()),
    )
  }
}
