import { createHash } from 'node:crypto'
import {
  constants,
  cpSync,
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { join, relative } from 'node:path'
import type { ZodType } from 'zod'
import { REPO_ROOT } from './servers.ts'
import { tempDir } from './tempDir.ts'

/**
 * A cache of prepared data dirs (tests/bench/cache/, git-ignored): a data dir that a phase builds the same way every
 * run (generate the big workspace, then the server's first start migrates it and builds its record index) is kept
 * after the first run and copied on the next ones. The key hashes the inputs and every source file the result depends
 * on (the generator, the bench's seed and store helpers, the whole server and model source, the lockfile), so a change
 * to any of them builds afresh. `BENCH_CACHE=0` ignores the cache (and writes none).
 */
export const CACHE_DIR = join(REPO_ROOT, 'tests', 'bench', 'cache')
export const CACHE_ENABLED = process.env.BENCH_CACHE !== '0'

/** Files and folders (relative to the repo root) whose contents every cache key covers. */
const SOURCES = [
  'apps/server/src',
  'apps/server/package.json',
  'packages/model/src',
  'packages/model/package.json',
  'pnpm-lock.yaml',
  'tests/bench/lib/generateWorkspace.ts',
  'tests/bench/lib/dataDirStore.ts',
  'tests/bench/lib/seedTemplate.ts',
]

/** The non-test files under a folder (relative to the repo root); throws ENOTDIR for a file. */
function filesUnder(path: string): string[] {
  return readdirSync(join(REPO_ROOT, path), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && !/\.test\.tsx?$/.test(e.name))
    .map((e) => relative(REPO_ROOT, join(e.parentPath, e.name)))
}

/** sha256 over the inputs and the contents of every source file (sorted by path), hex, 16 characters. */
export function cacheKey(inputs: unknown): string {
  const hash = createHash('sha256').update(JSON.stringify(inputs))
  const files = SOURCES.flatMap((path) => {
    const full = join(REPO_ROOT, path)
    if (!existsSync(full)) return []
    try {
      return filesUnder(path)
    } catch {
      return [path] // a file
    }
  }).sort()
  for (const file of files) hash.update(`\0${file}\0`).update(readFileSync(join(REPO_ROOT, file)))
  return hash.digest('hex').slice(0, 16)
}

export type CachedDir<M> = {
  /** A fresh copy of the cached data dir for this run (removed by `remove`). */
  path: string
  remove(): void
  manifest: M & { builtAt: string; key: string }
}

const entryDir = (name: string, key: string) => join(CACHE_DIR, `${name}-${key}`)

/** The cached data dir `name` under `key`, copied to a fresh temp dir; null when there is none (or it is unreadable). */
export function restoreCached<M>(name: string, key: string, schema: ZodType<M>): CachedDir<M> | null {
  if (!CACHE_ENABLED) return null
  const dir = entryDir(name, key)
  const manifestPath = join(dir, 'manifest.json')
  if (!existsSync(manifestPath)) return null
  let manifest: M & { builtAt: string; key: string }
  try {
    const raw = JSON.parse(readFileSync(manifestPath, 'utf8')) as { builtAt?: unknown; key?: unknown }
    if (typeof raw.builtAt !== 'string' || raw.key !== key) return null
    manifest = { ...schema.parse(raw), builtAt: raw.builtAt, key }
  } catch {
    return null
  }
  const copy = tempDir(`rapport-${name}-`)
  // Copy-on-write clones where the file system has them, plain copies otherwise.
  cpSync(join(dir, 'data'), copy.path, { recursive: true, mode: constants.COPYFILE_FICLONE })
  return { path: copy.path, remove: copy.remove, manifest }
}

/**
 * Stores a copy of `dataDir` (its server stopped) as the cached data dir `name` under `key`, replacing older entries of
 * that name. Written to a temp folder in the cache and renamed, so a cut run never leaves a half entry behind.
 */
export function saveCached<M>(name: string, key: string, dataDir: string, manifest: M): void {
  if (!CACHE_ENABLED) return
  const staging = join(CACHE_DIR, `.staging-${name}-${process.pid}`)
  rmSync(staging, { recursive: true, force: true })
  cpSync(dataDir, join(staging, 'data'), { recursive: true, mode: constants.COPYFILE_FICLONE })
  writeFileSync(
    join(staging, 'manifest.json'),
    `${JSON.stringify({ ...manifest, builtAt: new Date().toISOString(), key }, null, 2)}\n`,
  )
  if (existsSync(CACHE_DIR)) {
    for (const old of readdirSync(CACHE_DIR)) {
      if (old.startsWith(`${name}-`)) rmSync(join(CACHE_DIR, old), { recursive: true, force: true })
    }
  }
  renameSync(staging, entryDir(name, key))
}
