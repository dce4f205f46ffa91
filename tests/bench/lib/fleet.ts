import { type ChildProcess, fork } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { FleetCommand, FleetReply } from '../clients/fleetProtocol.ts'

const here = dirname(fileURLToPath(import.meta.url))
const require = createRequire(import.meta.url)
const FLEET = join(here, '..', 'clients', 'fleet.ts')

type Reply<T extends FleetReply['type']> = Extract<FleetReply, { type: T }>

/** A client fleet child process (clients/fleet.ts): many browser-tab-like clients, driven over IPC. */
export type Fleet = {
  pid: number
  connect(cmd: Omit<Extract<FleetCommand, { type: 'connect' }>, 'type'>): Promise<Reply<'connected'>>
  latency(rounds: number, warmup: number): Promise<Reply<'latency'>>
  /** Closes every client and ends the child (killed after 10 s). */
  close(): Promise<void>
}

/** Forks a fleet child (`node --import tsx/esm clients/fleet.ts`) and resolves once it is ready. */
export async function startFleet(): Promise<Fleet> {
  const child: ChildProcess = fork(FLEET, [], {
    execArgv: ['--import', `file://${require.resolve('tsx/esm')}`],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const pending: Array<{ type: FleetReply['type']; resolve(r: FleetReply): void; reject(e: Error): void }> =
    []
  const failAll = (error: Error) => {
    for (const p of pending.splice(0)) p.reject(error)
  }
  child.on('message', (raw: unknown) => {
    const parsed = FleetReply.safeParse(raw)
    if (!parsed.success) return failAll(new Error(`fleet sent a malformed reply: ${parsed.error.message}`))
    const msg = parsed.data
    if (msg.type === 'error') return failAll(new Error(msg.message))
    const i = pending.findIndex((p) => p.type === msg.type)
    if (i >= 0) pending.splice(i, 1)[0]?.resolve(msg)
  })
  child.once('exit', (code, signal) => failAll(new Error(`fleet exited (${code ?? signal})`)))
  const expect = <T extends FleetReply['type']>(type: T, send?: FleetCommand): Promise<Reply<T>> =>
    new Promise((resolve, reject) => {
      pending.push({ type, resolve: resolve as (r: FleetReply) => void, reject })
      if (send) child.send(FleetCommand.parse(send))
    })
  await expect('ready')
  return {
    pid: child.pid ?? 0,
    connect: (cmd) => expect('connected', { type: 'connect', ...cmd }),
    latency: (rounds, warmup) => expect('latency', { type: 'latency', rounds, warmup }),
    close: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      try {
        child.send({ type: 'close' })
      } catch {
        child.kill('SIGKILL')
      }
      await exited
      clearTimeout(timer)
    },
  }
}
