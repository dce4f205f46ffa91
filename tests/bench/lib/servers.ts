import { type ChildProcess, spawn } from 'node:child_process'
import { appendFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { createServer, Socket } from 'node:net'
import { dirname, join } from 'node:path'
import { createInterface, type Interface } from 'node:readline'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { z } from 'zod'
import type { Protocol } from './SyncClient.ts'

/** The sync servers under comparison. */
export type ServerKind = 'rapport' | 'hocuspocus' | 'y-websocket'

/** process.memoryUsage() of a server child right after a full GC (bytes), as printed by its memory probe. */
export const MemorySample = z.object({
  heapUsed: z.number(),
  external: z.number(),
  arrayBuffers: z.number(),
  rss: z.number(),
})
export type MemorySample = z.infer<typeof MemorySample>

/** A server child process of the bench (any server, including the raw fan-out floor). */
export type ServerProcess = {
  pid: number
  port: number
  /** WebSocket URL to connect clients to. */
  wsUrl: string
  /** ms from spawn until the server answered. */
  startMs: number
  /** `performance.now()` of this process when the server answered (spawn = readyAt − startMs). */
  readyAt: number
  /** Full GC in the server (via its memory probe), then its memory usage. Rejects after `timeoutMs` (default 10 s). */
  memory(timeoutMs?: number): Promise<MemorySample>
  stop(): Promise<void>
}

/** A sync server the Yjs workloads run against. */
export type BenchServer = ServerProcess & {
  kind: ServerKind
  protocol: Protocol
  /** HTTP base URL (Rapport only has a meaningful API). */
  url: string
  /**
   * Resolves once the server has no deferred work left from earlier edits (Rapport: no dirty document and
   * no store in flight; its persistence stores ~2 s after the last edit). The baselines defer nothing.
   */
  settled(): Promise<void>
}

const here = dirname(fileURLToPath(import.meta.url))
/** The monorepo root. */
export const REPO_ROOT = join(here, '..', '..', '..')
const require = createRequire(import.meta.url)

/** A free loopback port (listen on 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      const port = typeof addr === 'object' && addr ? addr.port : 0
      srv.close(() => resolve(port))
    })
  })
}

const MEMORY_PROBE = pathToFileURL(join(here, '..', 'servers', 'memoryProbe.ts')).href
const MEMORY_LINE = 'BENCH_MEM '

/**
 * Node arguments to run `entry` as a server child: `extra` flags, then `--expose-gc` and the bench's
 * memory probe (tests/bench/servers/memoryProbe.ts), loaded through the tsx ESM loader. `node --import <tsx>`
 * (not the tsx CLI, which would fork a child) keeps the server in ONE process, so the pid we sample is the
 * server itself. The loader is imported for every server, also plain-JS ones, because the probe is TypeScript.
 */
function serverArgs(entry: string, extra: string[] = []): string[] {
  const tsx = `file://${require.resolve('tsx/esm')}`
  return [...extra, '--expose-gc', '--import', tsx, '--import', MEMORY_PROBE, entry]
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode} before listening`)
    const ok = await new Promise<boolean>((resolve) => {
      const sock = new Socket()
      sock.once('connect', () => {
        sock.destroy()
        resolve(true)
      })
      sock.once('error', () => resolve(false))
      sock.connect(port, '127.0.0.1')
    })
    if (ok) return
    if (performance.now() > deadline)
      throw new Error(`server did not listen on ${port} within ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

async function waitForHttp(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode} before serving ${url}`)
    try {
      const res = await fetch(url)
      if (res.ok) return
    } catch {
      // not up yet
    }
    if (performance.now() > deadline) throw new Error(`${url} not healthy within ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve()
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      child.once('exit', () => {
        clearTimeout(timer)
        resolve()
      })
      child.kill('SIGTERM')
    })
}

/** Asks the child's memory probe for a GC'd sample (SIGUSR2) and resolves with its next BENCH_MEM line. */
function memoryReader(child: ChildProcess, lines: Interface): (timeoutMs?: number) => Promise<MemorySample> {
  return (timeoutMs = 10_000) =>
    new Promise((resolve, reject) => {
      const onLine = (line: string) => {
        if (!line.startsWith(MEMORY_LINE)) return
        done()
        try {
          resolve(MemorySample.parse(JSON.parse(line.slice(MEMORY_LINE.length))))
        } catch (error) {
          reject(error)
        }
      }
      const timer = setTimeout(() => {
        done()
        reject(new Error(`no ${MEMORY_LINE.trim()} line from pid ${child.pid} within ${timeoutMs / 1000} s`))
      }, timeoutMs)
      const done = () => {
        clearTimeout(timer)
        lines.off('line', onLine)
      }
      lines.on('line', onLine)
      child.kill('SIGUSR2')
    })
}

type Spawned = { child: ChildProcess; lines: Interface; started: number }

/** Every server child still running: killed when the bench exits (also on its time limit), never left behind. */
const running = new Set<ChildProcess>()
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL')
})

/** Waits for `ready`; a child that never gets there is killed before the error is thrown. */
async function readyOrKill(child: ChildProcess, ready: Promise<void>): Promise<void> {
  try {
    await ready
  } catch (error) {
    child.kill('SIGKILL')
    throw error
  }
}

function spawnLogged(args: string[], env: NodeJS.ProcessEnv, cwd: string, tag: string): Spawned {
  const started = performance.now()
  const child = spawn(process.execPath, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let tail = ''
  // `BENCH_SERVER_LOG=/tmp/servers.log`: every server child's output, tagged, for finding why a phase failed.
  const logFile = process.env.BENCH_SERVER_LOG
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4_000)
    if (logFile) appendFileSync(logFile, `[${tag}] ${chunk.toString()}`)
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  running.add(child)
  child.once('exit', (code, signal) => {
    running.delete(child)
    if (code && code !== 0 && signal !== 'SIGTERM') console.error(`[${tag}] exited ${code}:\n${tail}`)
  })
  const stdout = child.stdout
  if (!stdout) throw new Error(`${tag}: no stdout pipe`)
  return { child, lines: createInterface({ input: stdout }), started }
}

function serverProcess({ child, lines, started }: Spawned, port: number, wsUrl: string): ServerProcess {
  return {
    pid: child.pid ?? 0,
    port,
    wsUrl,
    startMs: performance.now() - started,
    readyAt: performance.now(),
    memory: memoryReader(child, lines),
    stop: stopper(child),
  }
}

/** Spawns a baseline server (`node <args>`) on a free port and waits until it accepts connections. */
async function startBaseline(entry: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const port = await freePort()
  const spawned = spawnLogged(
    serverArgs(entry),
    { PORT: String(port), HOST: '127.0.0.1', ...env },
    join(REPO_ROOT, 'tests'),
    entry,
  )
  await readyOrKill(spawned.child, waitForPort(port, spawned.child, 30_000))
  return serverProcess(spawned, port, `ws://127.0.0.1:${port}`)
}

/** Baseline: bare `new Server({ port })` from @hocuspocus/server 3.4.3, no extensions. */
export async function startBareHocuspocus(): Promise<BenchServer> {
  const server = await startBaseline(join(here, '..', 'servers', 'bareHocuspocus.ts'))
  return {
    ...server,
    kind: 'hocuspocus',
    protocol: 'hocuspocus',
    url: `http://127.0.0.1:${server.port}`,
    settled: async () => {},
  }
}

/** Baseline: the stock `y-websocket` bin of @y/websocket-server (no persistence configured). */
export async function startYWebsocket(): Promise<BenchServer> {
  const bin = join(dirname(fileURLToPath(import.meta.resolve('@y/websocket-server/utils'))), 'server.js')
  const server = await startBaseline(bin)
  return {
    ...server,
    kind: 'y-websocket',
    protocol: 'y-websocket',
    url: `http://127.0.0.1:${server.port}`,
    settled: async () => {},
  }
}

/**
 * The harness + machine floor for latency: tests/bench/servers/rawFanout.ts, a bare `ws` server that
 * forwards every binary message to all other sockets and does nothing else.
 */
export function startRawFanout(): Promise<ServerProcess> {
  return startBaseline(join(here, '..', 'servers', 'rawFanout.ts'))
}

/**
 * Rapport as production runs it: apps/server/src/main.ts (env PORT/HOST/DATA_DIR; the demo seed runs on an
 * empty data dir), in its own process. Ready = `/api/health` answers 200.
 */
export async function startRapport(opts: {
  dataDir: string
  env?: NodeJS.ProcessEnv
  /** Extra node flags (profiling). */
  nodeArgs?: string[]
  /** How long the server may take to answer /api/health (default 120 s; the big workspace's cold start is longer). */
  readyTimeoutMs?: number
  /** Another checkout's server (an A/B against a baseline build); default this repository. */
  repoRoot?: string
}): Promise<BenchServer> {
  const port = await freePort()
  const serverDir = join(opts.repoRoot ?? REPO_ROOT, 'apps', 'server')
  const spawned = spawnLogged(
    serverArgs(join(serverDir, 'src', 'main.ts'), opts.nodeArgs),
    {
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: opts.dataDir,
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
      SEED_DEMO: '1',
      NODE_ENV: 'production',
      ...opts.env,
    },
    serverDir,
    'rapport',
  )
  const url = `http://127.0.0.1:${port}`
  await readyOrKill(
    spawned.child,
    waitForHttp(`${url}/api/health`, spawned.child, opts.readyTimeoutMs ?? 120_000),
  )
  return {
    ...serverProcess(spawned, port, `ws://127.0.0.1:${port}/collab`),
    kind: 'rapport',
    protocol: 'hocuspocus',
    url,
    settled: () => rapportSettled(url),
  }
}

const PersistenceHealth = z.object({ dirtyDocuments: z.number(), storesInFlight: z.number() })

/** Polls Rapport's `/api/health` until no document is dirty and no store is in flight (30 s cap). */
async function rapportSettled(url: string): Promise<void> {
  const deadline = performance.now() + 30_000
  for (;;) {
    const health = PersistenceHealth.parse(await (await fetch(`${url}/api/health`)).json())
    if (health.dirtyDocuments === 0 && health.storesInFlight === 0) return
    if (performance.now() > deadline) throw new Error(`Rapport still has unstored documents after 30 s`)
    await new Promise((r) => setTimeout(r, 50))
  }
}
