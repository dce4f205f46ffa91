import type { DocumentStore } from './DocumentStore.ts'

/** An in-memory DocumentStore (tests, ephemeral servers). Copies bytes in and out. */
export const memoryStore = (): DocumentStore => {
  const docs = new Map<string, Uint8Array>()
  return {
    load: async (name) => {
      const state = docs.get(name)
      return state ? state.slice() : null
    },
    store: async (name, state) => {
      docs.set(name, state.slice())
    },
    list: async (prefix = '') => [...docs.keys()].filter((name) => name.startsWith(prefix)).sort(),
    delete: async (name) => {
      docs.delete(name)
    },
    close: async () => {},
  }
}
