import { type ComponentType, createElement, useEffect, useState } from 'react'

/** A page's chunk: the page component once loaded, and the call that loads it. */
interface PageChunk<P> {
  loaded: ComponentType<P> | null
  load(): Promise<ComponentType<P>>
}

export interface LazyPage<P> {
  /** Starts loading the page's chunk (once; again after a failure) and resolves with the page component. */
  preload(): Promise<ComponentType<P>>
  /** The page: rendered at once when its chunk is loaded, else after a placeholder until it is. */
  Page: ComponentType<P>
}

function LazyPageView<P extends object>({
  chunk,
  placeholder,
  props,
}: {
  chunk: PageChunk<P>
  placeholder: string
  props: P
}) {
  const [Component, setComponent] = useState<ComponentType<P> | null>(() => chunk.loaded)
  const [failed, setFailed] = useState<unknown>(null)
  useEffect(() => {
    if (Component) return
    let cancelled = false
    chunk.load().then(
      (c) => !cancelled && setComponent(() => c),
      (e: unknown) => !cancelled && setFailed(e),
    )
    return () => {
      cancelled = true
    }
  }, [Component, chunk])
  if (failed) throw failed
  return Component ? createElement(Component, props) : <div className="empty">{placeholder}</div>
}

/**
 * A page in its own chunk, without `React.lazy`: a lazy component suspends on its first render even when its chunk
 * is already loaded, and React holds a revealed Suspense boundary back for up to 300 ms — most of an in-app
 * navigation, and a third of a first visit. A failed chunk load is thrown to the nearest error boundary.
 */
export function lazyPage<P extends object>(
  load: () => Promise<ComponentType<P>>,
  placeholder = 'Loading…',
): LazyPage<P> {
  let pending: Promise<ComponentType<P>> | null = null
  const chunk: PageChunk<P> = {
    loaded: null,
    load: () => {
      pending ??= load().then(
        (component) => {
          chunk.loaded = component
          return component
        },
        (error: unknown) => {
          pending = null // the next visit asks again
          throw error ?? new Error('This page could not be loaded.')
        },
      )
      return pending
    },
  }
  // biome-ignore lint/correctness/noComponentHookFactories: called once per page at module level (pages.ts), so each Page keeps one identity
  const Page = (props: P) => <LazyPageView chunk={chunk} placeholder={placeholder} props={props} />
  return { preload: chunk.load, Page }
}
