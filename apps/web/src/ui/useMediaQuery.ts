import { useCallback, useSyncExternalStore } from 'react'

/** Whether a CSS media query matches now, updated live (e.g. a phone turned sideways). */
export function useMediaQuery(query: string): boolean {
  const subscribe = useCallback(
    (onChange: () => void) => {
      const list = window.matchMedia(query)
      list.addEventListener('change', onChange)
      return () => list.removeEventListener('change', onChange)
    },
    [query],
  )
  return useSyncExternalStore(subscribe, () => window.matchMedia(query).matches)
}

/** The width below which pages switch to their one-column phone layout (matches the CSS breakpoints). */
export const NARROW_SCREEN = '(max-width: 720px)'
