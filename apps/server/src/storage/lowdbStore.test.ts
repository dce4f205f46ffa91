import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { documentStoreContract } from './documentStore.contract.ts'
import { fileNameOf, lowdbStore } from './lowdbStore.ts'

const dirs: string[] = []
const fresh = async (): Promise<string> => {
  const dir = await mkdtemp(join(tmpdir(), 'rapport-store-'))
  dirs.push(dir)
  return dir
}
const cleanup = async (): Promise<void> => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
}

for (const fsync of [false, true]) {
  let current = ''
  documentStoreContract(`lowdb${fsync ? ' (fsync)' : ''}`, {
    create: async () => {
      current = await fresh()
      return lowdbStore({ dir: join(current, 'docs'), fsync })
    },
    reopen: async () => lowdbStore({ dir: join(current, 'docs'), fsync }),
    cleanup,
  })
}

describe('lowdbStore files', () => {
  it('writes one JSON file per document named encodeURIComponent(name).json with base64 state', async () => {
    const dir = join(await fresh(), 'docs')
    const store = lowdbStore({ dir })
    const doc = new Y.Doc()
    doc.getMap('m').set('k', 'v')
    await store.store('ws_a/account/acc_1', Y.encodeStateAsUpdate(doc))
    expect(await readdir(dir)).toEqual(['ws_a%2Faccount%2Facc_1.json'])
    expect(fileNameOf('ws_a/account/acc_1')).toBe('ws_a%2Faccount%2Facc_1.json')
    const json = JSON.parse(await readFile(join(dir, 'ws_a%2Faccount%2Facc_1.json'), 'utf8'))
    expect(json.name).toBe('ws_a/account/acc_1')
    const copy = new Y.Doc()
    Y.applyUpdate(copy, Buffer.from(json.state, 'base64'))
    expect(copy.getMap('m').get('k')).toBe('v')
    await store.close()
    await cleanup()
  })

  it('rejects a corrupt file instead of returning an empty document', async () => {
    const dir = join(await fresh(), 'docs')
    const store = lowdbStore({ dir })
    await store.store('d', new Uint8Array([0, 0]))
    const { writeFile } = await import('node:fs/promises')
    await writeFile(join(dir, fileNameOf('d')), '{"name":"d"}')
    await expect(store.load('d')).rejects.toThrow()
    await store.close()
    await cleanup()
  })

  it('keeps a large state in one binary sidecar, switched atomically and cleaned up on replace and delete', async () => {
    const dir = join(await fresh(), 'docs')
    const store = lowdbStore({ dir })
    const big = (fill: number) => new Uint8Array(200 * 1024).fill(fill)
    await store.store('ws/contacts', big(1))
    const first = (await readdir(dir)).sort((a, b) => (a.endsWith('.bin') ? -1 : b.endsWith('.bin') ? 1 : 0))
    expect(first).toHaveLength(2)
    expect(first[0]).toMatch(/^ws%2Fcontacts\..+\.bin$/)
    expect(first[1]).toBe('ws%2Fcontacts.json')
    const json = JSON.parse(await readFile(join(dir, 'ws%2Fcontacts.json'), 'utf8'))
    expect(json).toMatchObject({ name: 'ws/contacts', stateFile: first[0] })
    expect(json.state).toBeUndefined()
    await store.store('ws/contacts', big(2))
    const second = await readdir(dir)
    expect(second).toHaveLength(2)
    expect(second).not.toContain(first[0])
    expect(await lowdbStore({ dir }).load('ws/contacts')).toEqual(big(2))
    expect(await store.list()).toEqual(['ws/contacts'])
    await store.store('ws/contacts', new Uint8Array([7]))
    expect(await readdir(dir)).toEqual(['ws%2Fcontacts.json'])
    await store.store('ws/contacts', big(3))
    await store.delete('ws/contacts')
    expect(await readdir(dir)).toEqual([])
    await store.close()
    await cleanup()
  })
})
