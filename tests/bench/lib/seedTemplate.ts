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

/** Starts Rapport once on an empty dir (the demo seed runs), reads the first pipeline, stops. */
export async function createSeedTemplate(): Promise<SeedTemplate> {
  const dir = tempDir('rapport-seed-')
  const server = await startRapport({ dataDir: dir.path })
  try {
    const w = await rapportWorkload(server, 0)
    return {
      dir: dir.path,
      workspaceId: w.workspaceId,
      pipelineId: w.pipelineId,
      stageIds: w.stageIds,
      remove: dir.remove,
    }
  } finally {
    await server.stop()
  }
}

/** A fresh copy of the template for one phase. */
export function copyTemplate(seed: SeedTemplate, prefix: string): { path: string; remove(): void } {
  const copy = tempDir(prefix)
  cpSync(seed.dir, copy.path, { recursive: true })
  return copy
}
