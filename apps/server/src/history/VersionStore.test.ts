import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import {
  lowdbVersionStore,
  memoryVersionStore,
  type StoredVersion,
  type VersionStore,
} from './VersionStore.ts'

const MIN = 60_000
const DAY = 24 * 60 * MIN
const T0 = Date.UTC(2026, 11, 1)
const ROOM = 'ws/account/acc_1'
const STEP = 30 * MIN
const PER_DAY = DAY / STEP
const STATE = new Uint8Array([0, 0])

const version = (i: number, at: number): StoredVersion => ({
  id: `ver_${i}`,
  at,
  reason: 'pause',
  editors: [],
  fields: null,
  hash: `h${i}`,
})

const dirs: string[] = []
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
})

const stores: Array<[string, () => Promise<VersionStore>]> = [
  ['memory', async () => memoryVersionStore()],
  [
    'lowdb',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'rapport-versions-'))
      dirs.push(dir)
      return lowdbVersionStore(dir)
    },
  ],
]

describe.each(stores)('%s version store', (_, make) => {
  it('prunes on every add with the clock it is given: bounded however long a room is edited', async () => {
    const store = await make()
    // A version every 30 minutes for 10 days (fake clock: `at` and `now` are given).
    for (let i = 0; i < PER_DAY * 10; i += 1)
      await store.add(ROOM, version(i, T0 + i * STEP), STATE, T0 + i * STEP)
    const kept = await store.list(ROOM)
    const last = T0 + (PER_DAY * 10 - 1) * STEP
    // 24 h of every version, then hourly to 7 days, then daily.
    expect(kept.filter((v) => last - v.at < DAY)).toHaveLength(PER_DAY)
    expect(kept.length).toBeLessThan(PER_DAY + 6 * 24 + 5)
    expect(kept.map((v) => v.at)).toEqual([...kept.map((v) => v.at)].sort((a, b) => a - b))
    // 100 days later (past the 90 days) one save leaves only itself.
    await store.add(ROOM, version(99_999, last + 100 * DAY), STATE, last + 100 * DAY)
    expect((await store.list(ROOM)).map((v) => v.id)).toEqual(['ver_99999'])
    expect(await store.list('ws/account/other')).toEqual([])
  })
})

describe('lowdb version store', () => {
  it('keeps a small index per room and each state in its own file, deleted when the version is pruned', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rapport-versions-'))
    dirs.push(dir)
    const room = join(dir, encodeURIComponent(ROOM))
    await lowdbVersionStore(dir).add(ROOM, version(1, T0), new Uint8Array([1, 2, 3]), T0)
    const index = JSON.parse(await readFile(join(room, 'index.json'), 'utf8'))
    expect(index.versions.map((v: StoredVersion) => v.id)).toEqual(['ver_1'])
    expect(JSON.stringify(index)).not.toContain('state')
    // A new store (a restart) reads both back.
    const reopened = lowdbVersionStore(dir)
    expect((await reopened.list(ROOM)).map((v) => v.id)).toEqual(['ver_1'])
    expect(await reopened.state(ROOM, 'ver_1')).toEqual(new Uint8Array([1, 2, 3]))
    expect(await reopened.state(ROOM, '../index')).toBeNull()
    // 100 days later the old version is pruned, and its state file goes with it.
    await reopened.add(ROOM, version(2, T0 + 100 * DAY), new Uint8Array([4]), T0 + 100 * DAY)
    expect((await readdir(room)).sort()).toEqual(['index.json', 'ver_2.bin'])
    expect(await reopened.state(ROOM, 'ver_1')).toBeNull()
  })
})
