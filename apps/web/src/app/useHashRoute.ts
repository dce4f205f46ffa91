import { useEffect, useState } from 'react'
import { parseRoute, type Route } from './route.ts'

/** The current hash route, updated on navigation. */
export function useHashRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash))
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash))
    window.addEventListener('hashchange', onChange)
    return () => window.removeEventListener('hashchange', onChange)
  }, [])
  return route
}

export function navigate(href: string): void {
  window.location.hash = href.replace(/^#/, '')
}
