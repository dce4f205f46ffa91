import type { DocumentStore } from './DocumentStore.ts'
import { mergeLogged } from './mergeLogged.ts'

/** An in-memory DocumentStore (tests, ephemeral servers). Copies bytes in and out. */
export const memoryStore = (): DocumentStore => {
  const docs = new Map<string, Uint8Array>()
  const logs = new Map<string, Array<{ seq: number; update: Uint8Array }>>()
  let seq = 0
  const logOf = (name: string): Uint8Array[] => (logs.get(name) ?? []).map((entry) => entry.update.slice())
  return {
    load: async (name) => mergeLogged(docs.get(name)?.slice() ?? null, logOf(name)),
    loadWithLog: async (name) => ({
      state: docs.get(name)?.slice() ?? null,
      log: logOf(name),
      damagedLogBytes: 0,
    }),
    store: async (name, state) => {
      const covered = seq
      docs.set(name, state.slice())
      const left = (logs.get(name) ?? []).filter((entry) => entry.seq > covered)
      if (left.length > 0) logs.set(name, left)
      else logs.delete(name)
    },
    appendUpdate: async (name, update) => {
      seq += 1
      const log = logs.get(name) ?? []
      log.push({ seq, update: update.slice() })
      logs.set(name, log)
    },
    loggedNames: async () => [...logs.keys()].sort(),
    list: async (prefix = '') =>
      [...new Set([...docs.keys(), ...logs.keys()])].filter((name) => name.startsWith(prefix)).sort(),
    delete: async (name) => {
      docs.delete(name)
      logs.delete(name)
    },
    close: async () => {},
  }
}
