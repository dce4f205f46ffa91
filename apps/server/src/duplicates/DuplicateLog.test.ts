import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { DuplicateLog } from './DuplicateLog.ts'

let dir: string | null = null
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true })
  dir = null
})

describe('DuplicateLog', () => {
  it('remembers dismissed pairs in either order and merges, per workspace, across reopening; forget drops them', async () => {
    dir = await mkdtemp(join(tmpdir(), 'rapport-duplog-'))
    const file = join(dir, 'duplicates.json')
    const log = await DuplicateLog.open(file)
    await log.dismiss('w1', 'contacts', 'con_b', 'con_a')
    await log.dismiss('w1', 'contacts', 'con_a', 'con_b')
    await log.recordMerge('w1', {
      kind: 'accounts',
      survivorId: 'acc_s',
      mergedId: 'acc_m',
      at: 1,
      by: 'usr_1',
    })
    const again = await DuplicateLog.open(file)
    expect(again.isDismissed('w1', 'contacts', 'con_a', 'con_b')).toBe(true)
    expect(again.isDismissed('w1', 'accounts', 'con_a', 'con_b')).toBe(false)
    expect(again.isDismissed('w2', 'contacts', 'con_a', 'con_b')).toBe(false)
    expect([...again.dismissedSet('w1')]).toEqual(['contacts:con_a:con_b'])
    expect(again.mergedInto('w1', 'acc_m')?.survivorId).toBe('acc_s')
    expect(again.mergedInto('w2', 'acc_m')).toBeNull()
    await again.forget('w1')
    const forgotten = await DuplicateLog.open(file)
    expect(forgotten.dismissedSet('w1').size).toBe(0)
    expect(forgotten.mergedInto('w1', 'acc_m')).toBeNull()
  })
})
