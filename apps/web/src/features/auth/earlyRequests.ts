declare global {
  interface Window {
    /** GET responses index.html started before the bundle loaded, by path. */
    __rapportEarly?: Record<string, Promise<Response> | undefined>
  }
}

/**
 * The response index.html's inline script already requested for `path` (see index.html), at most once: a later
 * call for the same path (after a login, a retry) goes to the network again.
 */
export function takeEarlyResponse(path: string): Promise<Response> | null {
  if (typeof window === 'undefined') return null
  const early = window.__rapportEarly
  const response = early?.[path]
  if (!early || !response) return null
  delete early[path]
  return response
}
