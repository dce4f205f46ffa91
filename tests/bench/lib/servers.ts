import { type ChildProcess, spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { createServer, Socket } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Protocol } from './SyncClient.ts'

export type ServerKind = 'rapport' | 'hocuspocus' | 'y-websocket'

export type BenchServer = {
  kind: ServerKind
  protocol: Protocol
  pid: number
  port: number
  /** HTTP base URL (Rapport only has a meaningful API). */
  url: string
  /** WebSocket URL to pass to SyncClient. */
  wsUrl: string
  /** ms from spawn until the server answered. */
  startMs: number
  stop(): Promise<void>
}

const here = dirname(fileURLToPath(import.meta.url))
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

function tsxImport(): string {
  // `node --import <tsx esm loader>` keeps the server in ONE process (the tsx CLI would fork a child),
  // so the pid we sample is the server itself.
  return `file://${require.resolve('tsx/esm')}`
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

function spawnLogged(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd: string, tag: string) {
  const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let tail = ''
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4_000)
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  child.once('exit', (code, signal) => {
    if (code && code !== 0 && signal !== 'SIGTERM') console.error(`[${tag}] exited ${code}:\n${tail}`)
  })
  return child
}

/** Spawns a baseline server on a free port and waits until it accepts connections. */
async function startBaseline(
  kind: 'hocuspocus' | 'y-websocket',
  args: string[],
  env: Record<string, string>,
): Promise<BenchServer> {
  const port = await freePort()
  const started = performance.now()
  const child = spawnLogged(
    process.execPath,
    args,
    { PORT: String(port), ...env },
    join(REPO_ROOT, 'tests'),
    kind,
  )
  await waitForPort(port, child, 30_000)
  return {
    kind,
    protocol: kind,
    pid: child.pid ?? 0,
    port,
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    startMs: performance.now() - started,
    stop: stopper(child),
  }
}

/** Baseline: bare `new Server({ port })` from @hocuspocus/server 3.4.3, no extensions. */
export function startBareHocuspocus(): Promise<BenchServer> {
  return startBaseline(
    'hocuspocus',
    ['--import', tsxImport(), join(here, '..', 'servers', 'bareHocuspocus.ts')],
    {},
  )
}

/** Baseline: the stock `y-websocket` bin of @y/websocket-server (no persistence configured). */
export function startYWebsocket(): Promise<BenchServer> {
  const bin = join(dirname(fileURLToPath(import.meta.resolve('@y/websocket-server/utils'))), 'server.js')
  return startBaseline('y-websocket', [bin], { HOST: '127.0.0.1' })
}

/**
 * Rapport as production runs it: apps/server/src/main.ts (env PORT/HOST/DATA_DIR; the demo seed runs on an
 * empty data dir), in its own process. Ready = `/api/health` answers 200.
 */
export async function startRapport(opts: { dataDir: string; env?: NodeJS.ProcessEnv }): Promise<BenchServer> {
  const port = await freePort()
  const started = performance.now()
  const serverDir = join(REPO_ROOT, 'apps', 'server')
  const child = spawnLogged(
    process.execPath,
    ['--import', tsxImport(), join(serverDir, 'src', 'main.ts')],
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
  await waitForHttp(`${url}/api/health`, child, 120_000)
  return {
    kind: 'rapport',
    protocol: 'hocuspocus',
    pid: child.pid ?? 0,
    port,
    url,
    wsUrl: `ws://127.0.0.1:${port}/collab`,
    startMs: performance.now() - started,
    stop: stopper(child),
  }
}
