import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { Worker, type WorkerOptions } from 'node:worker_threads'

/** tsx's ESM API (`register`), by file: a bare specifier would resolve from the thread's cwd, not from here. */
function tsxApiUrl(): string {
  const pkg = createRequire(import.meta.url).resolve('tsx/package.json')
  return pathToFileURL(pkg.replace(/package\.json$/, 'dist/esm/api/index.mjs')).href
}

/**
 * A worker thread running the TypeScript module `target` (a file URL): the thread registers tsx's loader first, the
 * same loader `pnpm start` runs the server with, then imports the module.
 */
export function typeScriptThread(target: string, options: WorkerOptions = {}): Worker {
  const code = `import(${JSON.stringify(tsxApiUrl())}).then((tsx) => { tsx.register(); return import(${JSON.stringify(target)}) })`
  return new Worker(code, { ...options, eval: true })
}
