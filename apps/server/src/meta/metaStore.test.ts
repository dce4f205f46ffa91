import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createMemoryMetaStore, createMetaStore } from './metaStore.ts'

const dirs: string[] = []
const tempDir = async (): Promise<string> => {
  const dir = await mkdtemp(join(tmpdir(), 'rapport-meta-'))
  dirs.push(dir)
  return dir
}
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })))
})

describe('metaStore', () => {
  it('persists to meta.json in the data dir and reloads (also under NODE_ENV=test)', async () => {
    const dir = await tempDir()
    const store = await createMetaStore(dir)
    await store.write((d) => {
      d.workspaces.push({ id: 'ws_1', name: 'Acme' })
    })
    const onDisk = JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8'))
    expect(onDisk.workspaces).toEqual([{ id: 'ws_1', name: 'Acme' }])
    const reopened = await createMetaStore(dir)
    expect(reopened.data.workspaces).toEqual([{ id: 'ws_1', name: 'Acme' }])
  })

  it('serializes concurrent writes: none is lost', async () => {
    const store = createMemoryMetaStore()
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.write((d) => {
          d.workspaces.push({ id: `ws_${i}`, name: `W${i}` })
        }),
      ),
    )
    expect(store.data.workspaces.map((w) => w.id)).toEqual(Array.from({ length: 20 }, (_, i) => `ws_${i}`))
  })

  it('a throwing mutation leaves the data unchanged and later writes still run', async () => {
    const store = createMemoryMetaStore()
    await expect(
      store.write((d) => {
        d.workspaces.push({ id: 'ws_bad', name: 'x' })
        throw new Error('boom')
      }),
    ).rejects.toThrow('boom')
    expect(store.data.workspaces).toEqual([])
    await store.write((d) => {
      d.workspaces.push({ id: 'ws_ok', name: 'ok' })
    })
    expect(store.data.workspaces.map((w) => w.id)).toEqual(['ws_ok'])
  })

  it('rejects a corrupt meta.json instead of silently starting empty', async () => {
    const dir = await tempDir()
    await writeFile(join(dir, 'meta.json'), JSON.stringify({ users: 'nope' }))
    await expect(createMetaStore(dir)).rejects.toThrow()
  })

  it('finds users by email case-insensitively', async () => {
    const store = createMemoryMetaStore()
    await store.write((d) => {
      d.users.push({
        id: 'usr_1',
        email: 'ann@acme.io',
        name: 'Ann',
        passwordHash: 'x',
        color: '#aabbcc',
        createdAt: 0,
      })
    })
    expect(store.userByEmail('  ANN@Acme.IO ')?.id).toBe('usr_1')
  })
})
