import { useCallback, useEffect, useRef, useState } from 'react'

export interface ScrollEdges {
  /** More content hides to the left / to the right of the visible area. */
  more: { before: boolean; after: boolean }
  /** Attach to the horizontally scrolling element. */
  ref: (el: HTMLElement | null) => void
}

/** Tracks whether a horizontal scroller has hidden content on either side (for edge fades). */
export function useScrollEdges(): ScrollEdges {
  const [more, setMore] = useState({ before: false, after: false })
  const element = useRef<HTMLElement | null>(null)
  const measure = useCallback(() => {
    const el = element.current
    if (!el) return
    const before = el.scrollLeft > 1
    const after = el.scrollLeft + el.clientWidth < el.scrollWidth - 1
    setMore((prev) => (prev.before === before && prev.after === after ? prev : { before, after }))
  }, [])
  const observer = useRef<ResizeObserver | null>(null)
  const ref = useCallback(
    (el: HTMLElement | null) => {
      element.current?.removeEventListener('scroll', measure)
      observer.current?.disconnect()
      element.current = el
      if (!el) return
      el.addEventListener('scroll', measure, { passive: true })
      if (typeof ResizeObserver !== 'undefined') {
        observer.current = new ResizeObserver(measure)
        observer.current.observe(el)
        for (const child of el.children) observer.current.observe(child)
      }
      measure()
    },
    [measure],
  )
  useEffect(() => {
    window.addEventListener('resize', measure)
    return () => window.removeEventListener('resize', measure)
  }, [measure])
  return { more, ref }
}
