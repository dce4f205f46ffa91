import type { Logger } from '../../log/logger.ts'

/** One step from version `from` to `from + 1`. Steps are idempotent: a crash part-way reruns the step. */
export interface Migration {
  from: number
  describe: string
  run(dataDir: string, logger: Logger): Promise<void>
}
