import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createLogger, createServer, type RapportServer, type ServerDeps } from '@rapport/server'
import type * as Y from 'yjs'

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')
const SERVER_DIR = join(REPO_ROOT, 'apps/server')

export interface StartedServer {
  url: string
  wsUrl: string
  port: number
  dataDir: string
  server: RapportServer
  /** Close the server (flushing dirty documents); removes the data dir unless it was given or `keep` is set. */
  stop(options?: { keep?: boolean }): Promise<void>
}

export type StartServerOptions = Partial<ServerDeps> & {
  /** Log level for the run (default silent; set RAPPORT_TEST_LOG=debug to see logs). */
  logLevel?: 'debug' | 'info' | 'warn' | 'error' | 'silent'
}

export const newDataDir = (): Promise<string> => mkdtemp(join(tmpdir(), 'rapport-test-'))

const testLogLevel = (level?: StartServerOptions['logLevel']) =>
  level ?? (process.env.RAPPORT_TEST_LOG as StartServerOptions['logLevel'] | undefined) ?? 'silent'

/** The real server on port 0 with a fresh temp data dir (unless given) and silent logs. */
export const startServer = async (options: StartServerOptions = {}): Promise<StartedServer> => {
  const { logLevel, ...deps } = options
  const ownDir = deps.dataDir === undefined
  const dataDir = deps.dataDir ?? (await newDataDir())
  const server = await createServer({
    secrets: { session: randomBytes(32).toString('base64url') },
    logger: createLogger({ level: testLogLevel(logLevel), format: 'pretty' }),
    webDist: null,
    debounceMs: 50,
    maxDebounceMs: 500,
    ...deps,
    dataDir,
  })
  const { port, url } = await server.listen(0, '127.0.0.1')
  return {
    url,
    wsUrl: `ws://127.0.0.1:${port}/collab`,
    port,
    dataDir,
    server,
    async stop({ keep = false } = {}) {
      await server.close()
      if (ownDir && !keep) await rm(dataDir, { recursive: true, force: true })
    },
  }
}

export interface ServerProcess {
  url: string
  wsUrl: string
  port: number
  child: ChildProcess
  /** Everything the process printed (stdout + stderr), for failure messages. */
  output(): string
  /** Send a signal and wait for the exit; resolves with the exit code (null when killed by a signal). */
  kill(signal?: NodeJS.Signals): Promise<number | null>
}

/**
 * The real `main.ts` in a child process (`node --import tsx`), for SIGKILL/SIGTERM tests. PORT=0; the URL is read
 * from the line main.ts prints. `env` adds to or overrides the defaults (DATA_DIR is required).
 */
export const startServerProcess = (
  dataDir: string,
  env: Record<string, string> = {},
): Promise<ServerProcess> =>
  new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: SERVER_DIR,
      env: {
        ...process.env,
        NODE_ENV: 'test',
        PORT: '0',
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        SESSION_SECRET: 'test-session-secret-that-is-long-enough-0123456789',
        LOG_LEVEL: process.env.RAPPORT_TEST_LOG ?? 'warn',
        LOG_FORMAT: 'json',
        WEB_DIST: join(dataDir, 'no-web-dist'),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)))
    const onData = (chunk: Buffer): void => {
      output += chunk.toString()
      const match = /Rapport listening on (http:\/\/[^\s]+)/.exec(output)
      if (match?.[1]) {
        child.stdout?.off('data', onData)
        child.stdout?.on('data', (more: Buffer) => {
          output += more.toString()
        })
        const url = match[1]
        const port = Number(new URL(url).port)
        resolvePromise({
          url,
          wsUrl: `ws://127.0.0.1:${port}/collab`,
          port,
          child,
          output: () => output,
          async kill(signal = 'SIGKILL') {
            if (child.exitCode === null && child.signalCode === null) child.kill(signal)
            return exited
          },
        })
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    void exited.then((code) =>
      reject(new Error(`server process exited (${code}) before listening:\n${output}`)),
    )
  })

/** Reads a document as the server holds it (a system direct connection, closed after `read`). */
export async function serverRead<T>(
  started: Pick<StartedServer, 'server'>,
  name: string,
  read: (doc: Y.Doc) => T,
): Promise<T> {
  const connection = await started.server.hocuspocus.openDirectConnection(name, { system: true })
  try {
    return read(connection.document as Y.Doc)
  } finally {
    await connection.disconnect()
  }
}
