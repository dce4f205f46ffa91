import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Temp dirs not removed yet: removed when the process exits (also on the bench's time limit). */
const live = new Set<string>()
process.on('exit', () => {
  for (const path of live) rmSync(path, { recursive: true, force: true })
})

/** A fresh directory under the OS temp dir, removed by `remove()` (or when the process exits). */
export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix))
  live.add(path)
  return {
    path,
    remove: () => {
      live.delete(path)
      rmSync(path, { recursive: true, force: true })
    },
  }
}
