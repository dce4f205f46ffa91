import { randomBytes } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'
import { LOG_LEVELS, type LogLevel } from './log/logger.ts'
import { INDEX_THREAD_MODES } from './recordIndex/BulkApplier.ts'
import { INDEX_KINDS, type IndexConfig } from './recordIndex/openRecordIndex.ts'
import { STORE_KINDS, type StoreKind } from './storage/openDataDirStore.ts'

/** The repository root (apps/server/src → ../../..): `pnpm start` runs in apps/server, data lives in <repo>/data. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')

const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional())

export const EnvSchema = z.object({
  PORT: optional(z.coerce.number().int().min(0).max(65_535)),
  HOST: optional(z.string().min(1)),
  DATA_DIR: optional(z.string().min(1)),
  SESSION_SECRET: optional(z.string().min(32, 'SESSION_SECRET must be at least 32 characters')),
  LOG_LEVEL: optional(z.enum(LOG_LEVELS)),
  LOG_FORMAT: optional(z.enum(['pretty', 'json'])),
  DEBOUNCE_MS: optional(z.coerce.number().int().min(0).max(60_000)),
  FSYNC: optional(z.enum(['0', '1', 'true', 'false'])),
  WEB_DIST: optional(z.string().min(1)),
  SEED_DEMO: optional(z.enum(['0', '1', 'true', 'false'])),
  STORE: optional(z.enum(STORE_KINDS)),
  INDEX: optional(z.enum(INDEX_KINDS)),
  RAPPORT_PG_URL: optional(z.string().min(1)),
  INDEX_PG_SCHEMA: optional(z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lowercase SQL name')),
  INDEX_THREAD: optional(z.enum(INDEX_THREAD_MODES)),
})

export interface Config {
  port: number
  host: string
  dataDir: string
  sessionSecret: string
  logLevel: LogLevel
  logFormat: 'pretty' | 'json'
  debounceMs: number
  fsync: boolean
  webDist: string
  /** Seed the demo workspace when the data directory is empty (default on; `SEED_DEMO=0` turns it off). */
  seedDemo: boolean
  /** Where documents live: `sqlite` (`<dataDir>/documents.sqlite`, default) or `lowdb` (`<dataDir>/docs/`, format 1). */
  store: StoreKind
  /** The record index: `sqlite` (`<dataDir>/index.sqlite`, default) or `postgres` (`RAPPORT_PG_URL`, `INDEX_PG_SCHEMA`). */
  index: IndexConfig
}

export class ConfigError extends Error {
  override name = 'ConfigError'
}

/** Validate the environment; throws ConfigError listing every bad variable. Relative paths resolve against `cwd`. */
export const parseEnv = (
  env: Record<string, string | undefined>,
  cwd = process.cwd(),
): Omit<Config, 'sessionSecret'> & { sessionSecret: string | undefined } => {
  const parsed = EnvSchema.safeParse(env)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`)
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`)
  }
  const e = parsed.data
  return {
    port: e.PORT ?? 3000,
    host: e.HOST ?? '127.0.0.1',
    dataDir: e.DATA_DIR ? resolve(cwd, e.DATA_DIR) : join(REPO_ROOT, 'data'),
    sessionSecret: e.SESSION_SECRET,
    logLevel: e.LOG_LEVEL ?? 'info',
    logFormat: e.LOG_FORMAT ?? (env.NODE_ENV === 'production' ? 'json' : 'pretty'),
    debounceMs: e.DEBOUNCE_MS ?? 2000,
    // On unless FSYNC=0: the update log's group commits and the stores reach the disk, not only the page cache.
    fsync: e.FSYNC !== '0' && e.FSYNC !== 'false',
    webDist: e.WEB_DIST ? resolve(cwd, e.WEB_DIST) : join(REPO_ROOT, 'apps/web/dist'),
    seedDemo: e.SEED_DEMO !== '0' && e.SEED_DEMO !== 'false',
    store: e.STORE ?? 'sqlite',
    index: {
      ...(e.INDEX === 'postgres'
        ? { kind: 'postgres' as const, url: e.RAPPORT_PG_URL, schema: e.INDEX_PG_SCHEMA ?? 'rapport_index' }
        : { kind: 'sqlite' as const }),
      // Which index applies run in a worker thread (BulkApplier.ts): none, an import's, or all (default).
      thread: e.INDEX_THREAD ?? 'all',
    },
  }
}

/** The session secret from the env, else the one persisted in `<dataDir>/session-secret` (generated once). */
export const resolveSessionSecret = async (dataDir: string, fromEnv: string | undefined): Promise<string> => {
  if (fromEnv) return fromEnv
  const path = join(dataDir, 'session-secret')
  try {
    const stored = (await readFile(path, 'utf8')).trim()
    if (stored.length >= 32) return stored
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  await mkdir(dataDir, { recursive: true })
  const secret = randomBytes(32).toString('base64url')
  await writeFile(path, `${secret}\n`, { mode: 0o600 })
  return secret
}

export const loadConfig = async (env: Record<string, string | undefined>, cwd?: string): Promise<Config> => {
  const base = parseEnv(env, cwd)
  return { ...base, sessionSecret: await resolveSessionSecret(base.dataDir, base.sessionSecret) }
}
