import { cpSync } from 'node:fs'
import { startRapport } from './servers.ts'
import { tempDir } from './tempDir.ts'
import { rapportWorkload } from './workload.ts'

/** A Rapport data dir seeded once (demo workspace + users); phases copy it instead of re-seeding. */
export type SeedTemplate = {
  dir: string
  workspaceId: string
  pipelineId: string
  stageIds: string[]
  remove(): void
}

/**
 * Starts Rapport once on an empty dir (the demo seed runs), reads the first pipeline, stops. With `legacy`, the dir is
 * seeded in the first data format (`STORE=lowdb`: lowdb files, format 1), which the bench's workspace generator
 * writes (one document per collection); the next default start migrates it to the current format, as it would a
 * data dir of an older release — so the generator need not follow every format change of issue #12.
 */
export async function createSeedTemplate(opts: { legacy?: boolean } = {}): Promise<SeedTemplate> {
  const dir = tempDir(opts.legacy ? 'rapport-seed-v1-' : 'rapport-seed-')
  let server: Awaited<ReturnType<typeof startRapport>>
  try {
    server = await startRapport({ dataDir: dir.path, env: opts.legacy ? { STORE: 'lowdb' } : {} })
  } catch (error) {
    dir.remove()
    throw error
  }
  let ok = false
  try {
    const w = await rapportWorkload(server, 0)
    ok = true
    return {
      dir: dir.path,
      workspaceId: w.workspaceId,
      pipelineId: w.pipelineId,
      stageIds: w.stageIds,
      remove: dir.remove,
    }
  } finally {
    await server.stop()
    if (!ok) dir.remove()
  }
}

/** A fresh copy of the template for one phase. */
export function copyTemplate(seed: SeedTemplate, prefix: string): { path: string; remove(): void } {
  const copy = tempDir(prefix)
  cpSync(seed.dir, copy.path, { recursive: true })
  return copy
}
