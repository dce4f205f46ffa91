import { readlinkSync } from 'node:fs'
import { setPriority } from 'node:os'
import { parentPort } from 'node:worker_threads'
import { isAppError } from '../errors.ts'

/*
 * The worker thread's side of threadClient.ts: opens what it serves, then answers each call in the order the calls
 * came, one at a time. An AppError thrown by a call goes back with its status and code (the client throws the same
 * AppError); any other error with its message.
 */

export type ToThread<Req> =
  | { type: 'call'; id: number; request: Req }
  | { type: 'close' }
  /** Test hook: the thread throws at once (messages after it are never handled). */
  | { type: 'crash' }
export type FromThread<Res> =
  | { type: 'ready' }
  | { type: 'open-failed'; message: string }
  | { type: 'reply'; id: number; ok: true; result: Res }
  | { type: 'reply'; id: number; ok: false; message: string; status?: number; code?: string }

/** A call's answer, with the buffers to transfer instead of copying (they are unusable here afterwards). */
export interface ThreadReply<Res> {
  result: Res
  transfer?: ArrayBuffer[]
}

export interface ThreadService<Req, Res> {
  handle(request: Req): ThreadReply<Res> | Promise<ThreadReply<Res>>
  close?(): Promise<void>
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))

/** Serves the calls of the thread's ThreadClient with what `open` returns (in a worker thread only). */
export function serveThread<Req, Res>(name: string, open: () => Promise<ThreadService<Req, Res>>): void {
  const port = parentPort
  if (!port) throw new Error(`${name} runs as a worker thread only.`)
  const send = (message: FromThread<Res>, transfer?: ArrayBuffer[]) => port.postMessage(message, transfer)
  open().then(
    (service) => {
      let queue: Promise<void> = Promise.resolve()
      port.on('message', (message: ToThread<Req>) => {
        if (message.type === 'crash') throw new Error(`${name} crashed (test)`)
        if (message.type === 'close') {
          queue = queue.then(() => service.close?.()).then(() => process.exit(0))
          return
        }
        const { id, request } = message
        queue = queue.then(async () => {
          try {
            const { result, transfer } = await service.handle(request)
            send({ type: 'reply', id, ok: true, result }, transfer)
          } catch (error) {
            send(
              isAppError(error)
                ? {
                    type: 'reply',
                    id,
                    ok: false,
                    message: error.message,
                    status: error.status,
                    code: error.code,
                  }
                : { type: 'reply', id, ok: false, message: messageOf(error) },
            )
          }
        })
      })
      send({ type: 'ready' })
    },
    (error: unknown) => send({ type: 'open-failed', message: messageOf(error) }),
  )
}

/**
 * Runs this thread at a lower priority than the main thread (Linux: `setpriority` of the thread's own id, nice 10):
 * on a machine with few cores the event loop that broadcasts others' edits is scheduled first, the thread's work takes
 * what is left. Elsewhere (no `/proc/thread-self`) the thread keeps the process's priority.
 */
export function lowerThreadPriority(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop())
    if (Number.isInteger(tid) && tid > 0 && tid !== process.pid) setPriority(tid, 10)
  } catch {
    // not Linux, or not allowed: the same priority as the main thread
  }
}
