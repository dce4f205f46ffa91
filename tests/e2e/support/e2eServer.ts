import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { cp, mkdir, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { vi } from 'vitest'
import {
  newDataDir,
  REPO_ROOT,
  type ServerProcess,
  startServerProcess,
} from '../../integration/helpers/startServer.ts'

/** The built web app the servers serve; `RAPPORT_WEB_DIST` points at another build (e.g. one with an older binding). */
export const WEB_DIST = process.env.RAPPORT_WEB_DIST ?? join(REPO_ROOT, 'apps/web/dist')
export const ARTIFACTS_DIR = join(REPO_ROOT, 'tests/artifacts')

export interface E2eServer {
  readonly url: string
  readonly port: number
  readonly dataDir: string
  /** Everything the current server process printed, for failure messages. */
  output(): string
  /** Stop the process with `signal` (SIGTERM flushes, SIGKILL does not) and start it again on the same port and data dir. */
  restart(signal: 'SIGTERM' | 'SIGKILL'): Promise<void>
  /** Kill the process and remove the data dir. */
  stop(): Promise<void>
}

/** The root `pnpm test` builds first; a bare `vitest run --project e2e` builds the web app once when dist is missing. */
export const ensureWebBuild = (): void => {
  if (existsSync(join(WEB_DIST, 'index.html'))) return
  execFileSync('pnpm', ['--filter', '@rapport/web', 'build'], { cwd: REPO_ROOT, stdio: 'ignore' })
}

/** index.html and every asset it references are on disk (a build running right now empties dist first). */
const webBuildComplete = async (): Promise<boolean> => {
  try {
    const html = await readFile(join(WEB_DIST, 'index.html'), 'utf8')
    const assets = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+)"/g)].map((m) => m[1] ?? '')
    return assets.length > 0 && assets.every((asset) => existsSync(join(WEB_DIST, asset)))
  } catch {
    return false
  }
}

/**
 * A private copy of apps/web/dist for this server: other engineers rebuild the shared dist while tests run, which
 * would swap the files (and the lazy chunks' hashed names) under a live page.
 */
const snapshotWebDist = async (into: string): Promise<string> => {
  ensureWebBuild()
  await vi.waitFor(
    async () => {
      if (!(await webBuildComplete())) throw new Error(`${WEB_DIST} is incomplete (is a build running?)`)
    },
    { timeout: 120_000, interval: 500 },
  )
  await cp(WEB_DIST, into, { recursive: true })
  return into
}

/**
 * The real server (`main.ts`) in a child process on port 0, with a temp data dir and the demo seed, serving apps/web/dist.
 */
export const startE2eServer = async (): Promise<E2eServer> => {
  await mkdir(ARTIFACTS_DIR, { recursive: true })
  const dataDir = await newDataDir()
  const webDist = await snapshotWebDist(`${dataDir}-web`)
  // main.ts seeds the demo workspace (sales@, sales2@, viewer@… / `rapport-demo`) on the first start of an empty dir.
  const env = { WEB_DIST: webDist, SEED_DEMO: '1', LOG_LEVEL: process.env.RAPPORT_TEST_LOG ?? 'warn' }
  let proc: ServerProcess = await startServerProcess(dataDir, env)
  const port = proc.port
  return {
    url: proc.url,
    port,
    dataDir,
    output: () => proc.output(),
    async restart(signal) {
      await proc.kill(signal)
      proc = await startServerProcess(dataDir, { ...env, PORT: String(port) })
    },
    async stop() {
      await proc.kill('SIGKILL')
      await rm(dataDir, { recursive: true, force: true })
      await rm(webDist, { recursive: true, force: true })
    },
  }
}
