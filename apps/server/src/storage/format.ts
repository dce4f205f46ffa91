import { copyFile, mkdir, readdir, readFile, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import type { Logger } from '../log/logger.ts'
import { exists, syncPath, writeJsonDurably } from './durableFiles.ts'
import { MIGRATIONS } from './migrations/index.ts'
import type { Migration } from './migrations/Migration.ts'

export type { Migration }

/**
 * The data directory's format: `<dataDir>/format.json` `{ "version": N }`. Absent means 1 (the layout before the
 * file existed: documents as lowdb files in `docs/`). The server only starts on a data directory of the version it
 * was built for; `migrateDataDir` upgrades older ones in place, after a backup copy.
 */
export const CURRENT_FORMAT = MIGRATIONS.length + 1
/** STORE=lowdb keeps documents in the format-1 layout (`docs/`); it cannot read a directory migrated past it. */
export const LOWDB_FORMAT = 1

export const FORMAT_FILE = 'format.json'
/** Written after the backup of a migration is complete; removed once the new version is written. */
export const MIGRATING_FILE = 'migrating.json'
export const BACKUP_PREFIX = 'backup-v'

const FormatFile = z.object({ version: z.number().int().min(1) })
const MigratingFile = z.object({
  from: z.number().int().min(1),
  backup: z.string().regex(/^backup-v[^/\\]+$/),
})

/** A data directory this server must not start on; the message says why in plain words. */
export class FormatError extends Error {
  override name = 'FormatError'
}

export interface MigrationResult {
  from: number
  to: number
  /** The backup directory written (or reused) before the first step, null when nothing ran. */
  backup: string | null
}

/** The data directory's format version (1 when format.json is absent). */
export const readFormat = async (dataDir: string): Promise<number> => {
  let text: string
  try {
    text = await readFile(join(dataDir, FORMAT_FILE), 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 1
    throw error
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  const parsed = FormatFile.safeParse(json)
  if (!parsed.success) {
    throw new FormatError(
      `${join(dataDir, FORMAT_FILE)} is damaged: expected {"version": <whole number>}, found ${JSON.stringify(text.slice(0, 80))}.`,
    )
  }
  return parsed.data.version
}

export const writeFormat = (dataDir: string, version: number): Promise<void> =>
  writeJsonDurably(dataDir, FORMAT_FILE, { version })

/** Files copied and fsynced at once: fsyncs in flight together share the file system's journal commits. */
const COPY_CONCURRENCY = 32

/**
 * Copies the tree at `from` into the new directory `to` and fsyncs every copied file, then every directory (deepest
 * first). Directories are created first; files are copied (copy_file_range where available) and synced
 * COPY_CONCURRENCY at a time: 20,000 small files ~10× faster than one by one. Symlinks and other entries are skipped.
 */
const copyTreeDurably = async (from: string, to: string): Promise<void> => {
  const dirs: string[] = []
  const files: Array<[string, string]> = []
  const walk = async (source: string, target: string): Promise<void> => {
    await mkdir(target)
    dirs.push(target)
    for (const entry of await readdir(source, { withFileTypes: true })) {
      if (entry.isDirectory()) await walk(join(source, entry.name), join(target, entry.name))
      else if (entry.isFile()) files.push([join(source, entry.name), join(target, entry.name)])
    }
  }
  await walk(from, to)
  let next = 0
  const worker = async (): Promise<void> => {
    for (let index = next++; index < files.length; index = next++) {
      const [source, target] = files[index] as [string, string]
      await copyFile(source, target)
      await syncPath(target)
    }
  }
  await Promise.all(Array.from({ length: COPY_CONCURRENCY }, worker))
  for (const dir of dirs.reverse()) await syncPath(dir)
}

const isBackup = (name: string): boolean =>
  name.startsWith(BACKUP_PREFIX) || name.startsWith(`.${BACKUP_PREFIX}`)

/**
 * Copies the data directory (except earlier backups and temp files) to `<dataDir>/backup-v<from>-<time>/`: first
 * into a hidden `.backup-…` directory, fsynced, then renamed, so a directory named `backup-v…` is always complete.
 */
const backUp = async (dataDir: string, from: number, now: Date): Promise<string> => {
  const name = `${BACKUP_PREFIX}${from}-${now.toISOString().replace(/:/g, '-')}`
  const partial = join(dataDir, `.${name}`)
  await rm(partial, { recursive: true, force: true })
  await mkdir(partial)
  for (const entry of await readdir(dataDir, { withFileTypes: true })) {
    const skip =
      isBackup(entry.name) ||
      entry.name === MIGRATING_FILE ||
      entry.name.endsWith('.tmp') ||
      entry.name.includes('.migrat')
    if (skip) continue
    const [source, target] = [join(dataDir, entry.name), join(partial, entry.name)]
    if (entry.isDirectory()) await copyTreeDurably(source, target)
    else if (entry.isFile()) {
      await copyFile(source, target)
      await syncPath(target)
    }
  }
  await syncPath(partial)
  await rename(partial, join(dataDir, name))
  await syncPath(dataDir)
  return name
}

/** Removes hidden partial backups left by a crash during a backup. */
const removePartialBackups = async (dataDir: string): Promise<void> => {
  for (const entry of await readdir(dataDir)) {
    if (entry.startsWith(`.${BACKUP_PREFIX}`))
      await rm(join(dataDir, entry), { recursive: true, force: true })
  }
}

/** The backup of an interrupted migration from `from`, when its marker and directory are both there. */
const interruptedBackup = async (dataDir: string, from: number): Promise<string | null> => {
  let json: unknown
  try {
    json = JSON.parse(await readFile(join(dataDir, MIGRATING_FILE), 'utf8'))
  } catch {
    return null
  }
  const parsed = MigratingFile.safeParse(json)
  // Steps already done advanced format.json past the marker's version: the backup is still the one to keep.
  if (!parsed.success || parsed.data.from > from) return null
  return (await exists(join(dataDir, parsed.data.backup))) ? parsed.data.backup : null
}

/** Files a start writes before it migrates (main.ts's session secret): they do not make a directory old. */
const WRITTEN_BEFORE_MIGRATING = new Set(['session-secret', `.${FORMAT_FILE}.tmp`])

/** A data directory nothing has been written to yet: no format.json and nothing but the session secret. */
const isNew = async (dataDir: string): Promise<boolean> =>
  (await readdir(dataDir)).every((entry) => WRITTEN_BEFORE_MIGRATING.has(entry))

export interface MigrateOptions {
  logger: Logger
  /**
   * The version to end at: CURRENT_FORMAT (the default, the SQLite document store), or LOWDB_FORMAT when the
   * server runs with STORE=lowdb (which then only checks that the directory is not newer).
   */
  target?: number
  now?: () => Date
  /** The steps (tests replace them); default MIGRATIONS. */
  migrations?: readonly Migration[]
}

/**
 * Brings `dataDir` to `target` before any store opens: refuses a directory newer than the target; writes the
 * version into a new directory; otherwise backs the directory up (once, reused when an interrupted migration is
 * rerun), runs each step from the directory's version, writes each new version after its step (temp + rename +
 * fsync), then removes the marker. Logs what it did.
 */
export const migrateDataDir = async (dataDir: string, options: MigrateOptions): Promise<MigrationResult> => {
  const { logger } = options
  const target = options.target ?? CURRENT_FORMAT
  await mkdir(dataDir, { recursive: true })
  const version = await readFormat(dataDir)
  if (version > CURRENT_FORMAT) {
    throw new FormatError(
      `The data directory ${dataDir} is format version ${version}, written by a newer Rapport; this version reads up to ${CURRENT_FORMAT}. Start the newer version, or restore a backup-v… copy into an empty directory.`,
    )
  }
  if (version > target) {
    throw new FormatError(
      `The data directory ${dataDir} is format version ${version}: its documents are in documents.sqlite, which STORE=lowdb cannot read. Start with STORE=sqlite (the default).`,
    )
  }
  if (version === target) return { from: version, to: version, backup: null }
  if (version === 1 && (await isNew(dataDir))) {
    await writeFormat(dataDir, target)
    logger.info('new data directory', { dataDir, format: target })
    return { from: version, to: target, backup: null }
  }

  await removePartialBackups(dataDir)
  let backup = await interruptedBackup(dataDir, version)
  if (backup) {
    logger.warn('resuming a migration that was interrupted', { dataDir, from: version, backup })
  } else {
    const started = performance.now()
    backup = await backUp(dataDir, version, (options.now ?? (() => new Date()))())
    await writeJsonDurably(dataDir, MIGRATING_FILE, { from: version, backup })
    logger.info('backed up the data directory before migrating it', {
      backup: join(dataDir, backup),
      ms: Math.round(performance.now() - started),
    })
  }
  for (let from = version; from < target; from += 1) {
    const step = (options.migrations ?? MIGRATIONS).find((migration) => migration.from === from)
    if (!step) throw new FormatError(`No migration from data format ${from} to ${from + 1}.`)
    const started = performance.now()
    logger.info('migrating the data directory', { from, to: from + 1, step: step.describe })
    await step.run(dataDir, logger)
    await writeFormat(dataDir, from + 1)
    logger.info('migrated the data directory', {
      from,
      to: from + 1,
      ms: Math.round(performance.now() - started),
    })
  }
  await rm(join(dataDir, MIGRATING_FILE), { force: true })
  await syncPath(dataDir)
  return { from: version, to: target, backup }
}
