import { normalizePath, type Plugin, type Rollup } from 'vite'

/** What `window.__rapportRouteChunks` holds: route name → the URLs of its page's chunks and their CSS. */
export type RouteChunks = Record<string, string[]>

/** The parts of an output chunk the preload list is made from. */
export type ChunkInfo = Pick<Rollup.OutputChunk, 'fileName' | 'facadeModuleId' | 'isEntry' | 'imports'> & {
  viteMetadata?: { importedCss: Set<string> }
}

/**
 * For each route, the files of its page modules' chunks (module ids = `root/module`, as Vite writes them), every
 * chunk they import statically and the CSS they bring, minus the entry chunks and what those load already.
 */
export function routeChunkUrls(
  chunks: readonly ChunkInfo[],
  routes: Record<string, readonly string[]>,
  root: string,
  base: string,
): RouteChunks {
  const byFile = new Map(chunks.map((c) => [c.fileName, c]))
  const walk = (chunk: ChunkInfo, into: Set<string>, skip: ReadonlySet<string>) => {
    if (into.has(chunk.fileName) || skip.has(chunk.fileName)) return
    into.add(chunk.fileName)
    for (const css of chunk.viteMetadata?.importedCss ?? []) if (!skip.has(css)) into.add(css)
    for (const file of chunk.imports) {
      const dep = byFile.get(file)
      if (dep) walk(dep, into, skip)
    }
  }
  const initial = new Set<string>()
  for (const entry of chunks.filter((c) => c.isEntry)) walk(entry, initial, new Set())
  const map: RouteChunks = {}
  for (const [route, modules] of Object.entries(routes)) {
    const files = new Set<string>()
    for (const module of modules) {
      const id = normalizePath(`${root.replace(/\/+$/, '')}/${module}`)
      const chunk = chunks.find((c) => c.facadeModuleId === id)
      if (!chunk)
        throw new Error(`routePreload: no chunk has ${module} as its entry (is it imported lazily?)`)
      walk(chunk, files, initial)
    }
    map[route] = [...files].map((file) => `${base}${file}`)
  }
  return map
}

/**
 * Writes `window.__rapportRouteChunks` (`routeChunkUrls`) into index.html at build time, for the pages a first
 * visit may open (`src/...` modules the app imports lazily). index.html's early script turns the current route's list
 * into `<link rel="modulepreload">` / `<link rel="preload" as="style">`, so the page's chunks download beside the
 * main bundle instead of after it has run. The dev server does not apply it (the list stays absent there).
 */
export function routePreload(routes: Record<string, readonly string[]>): Plugin {
  let root = ''
  let base = '/'
  return {
    name: 'rapport-route-preload',
    apply: 'build',
    configResolved(config) {
      root = config.root
      base = config.base
    },
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        if (!ctx.bundle) return
        const chunks = Object.values(ctx.bundle).filter((c): c is Rollup.OutputChunk => c.type === 'chunk')
        const map = routeChunkUrls(chunks, routes, root, base)
        // First in <head>: before the stylesheet, which an inline script after it would wait for, and before the
        // early script that reads it.
        return [
          {
            tag: 'script',
            injectTo: 'head-prepend',
            children: `window.__rapportRouteChunks=${JSON.stringify(map)}`,
          },
        ]
      },
    },
  }
}
