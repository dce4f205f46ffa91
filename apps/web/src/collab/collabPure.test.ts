import { ACCOUNTS, createAccount, updateAccount } from '@rapport/model'
import { describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import { describeConnection, summarizeConnection } from './connectionSummary.ts'
import { INITIAL_DOC_STATE } from './DocHandle.ts'
import { LiveRecords } from './LiveRecords.ts'
import { LOCAL_ORIGIN } from './localOrigin.ts'
import { mayCloseReleased } from './mayCloseReleased.ts'
import { isOfflineDbOf, isOfflineDbOfWorkspace, OfflineIndex, offlineDbName } from './offlineDbName.ts'
import { refreshDelay, TokenSource, tokenNeedsRefresh } from './TokenSource.ts'
import { undoShortcut } from './useUndoManager.ts'

describe('connection summary', () => {
  const synced = { ...INITIAL_DOC_STATE, synced: true }
  it('is offline when the socket is down, with the unsynced count', () => {
    const s = summarizeConnection('disconnected', [{ ...synced, unsynced: 3 }])
    expect(s).toMatchObject({ status: 'offline', unsynced: 3 })
    expect(describeConnection(s)).toBe('Offline · 3 unsynced changes')
  })
  it('is syncing while a document waits for the server or has pending changes', () => {
    expect(summarizeConnection('connected', [synced, INITIAL_DOC_STATE]).status).toBe('syncing')
    expect(summarizeConnection('connected', [{ ...synced, unsynced: 1 }]).status).toBe('syncing')
    expect(summarizeConnection('connecting', []).status).toBe('syncing')
  })
  it('ignores what read-only documents hold unacknowledged: the server never confirms those', () => {
    const readOnly = { ...synced, serverReadOnly: true, unsynced: 2 }
    const s = summarizeConnection('connected', [synced, readOnly])
    expect(s).toMatchObject({ status: 'connected', unsynced: 0 })
    expect(summarizeConnection('connected', [{ ...synced, unsynced: 1 }, readOnly]).unsynced).toBe(1)
  })
  it('is connected when everything is synced; refused documents do not block it', () => {
    const denied = { ...INITIAL_DOC_STATE, denied: 'permission-denied' }
    const s = summarizeConnection('connected', [synced, denied])
    expect(s).toMatchObject({ status: 'connected', denied: 1 })
    expect(describeConnection(s)).toBe('Connected')
  })
})

describe('TokenSource', () => {
  it('refreshes shortly before expiry', () => {
    expect(tokenNeedsRefresh(null, 0)).toBe(true)
    expect(tokenNeedsRefresh({ token: 't', expiresAt: 100_000 }, 0, 60_000)).toBe(false)
    expect(tokenNeedsRefresh({ token: 't', expiresAt: 100_000 }, 40_000, 60_000)).toBe(true)
    expect(refreshDelay({ token: 't', expiresAt: 100_000 }, 0, 60_000)).toBe(40_000)
    expect(refreshDelay({ token: 't', expiresAt: 100 }, 0, 60_000)).toBe(1_000)
  })

  it('caches, de-duplicates concurrent fetches and refetches after invalidate', async () => {
    let n = 0
    const fetchToken = vi.fn(async () => ({ token: `t${++n}`, expiresAt: 1_000_000 }))
    const source = new TokenSource(fetchToken, () => 0)
    expect(await Promise.all([source.get(), source.get()])).toEqual(['t1', 't1'])
    expect(await source.get()).toBe('t1')
    source.invalidate()
    expect(await source.get()).toBe('t2')
    expect(fetchToken).toHaveBeenCalledTimes(2)
    source.dispose()
  })
})

describe('offline databases', () => {
  /** A `localStorage` stand-in kept in memory. */
  const memoryStorage = () => {
    const data = new Map<string, string>()
    return {
      getItem: (k: string) => data.get(k) ?? null,
      setItem: (k: string, v: string) => void data.set(k, v),
      removeItem: (k: string) => void data.delete(k),
    }
  }

  it('are named per user and document, and never match another user', () => {
    const a = offlineDbName('u1', 'w/accounts')
    expect(a).not.toBe(offlineDbName('u2', 'w/accounts'))
    expect(isOfflineDbOf('u1', a)).toBe(true)
    expect(isOfflineDbOf('u2', a)).toBe(false)
    expect(isOfflineDbOf('u1', offlineDbName('u10', 'w/accounts'))).toBe(false)
  })

  it('logout deletes every database the user opened and only those', async () => {
    const storage = memoryStorage()
    const mine = new OfflineIndex('u1', storage)
    const theirs = new OfflineIndex('u2', storage)
    mine.add('db-a')
    mine.add('db-b')
    mine.add('db-a')
    theirs.add('db-c')
    const deleted: string[] = []
    await mine.clearAll(async (name) => deleted.push(name))
    expect(deleted.sort()).toEqual(['db-a', 'db-b'])
    expect(mine.list()).toEqual([])
    expect(theirs.list()).toEqual(['db-c'])
  })

  it("a workspace that is gone loses the user's databases of it, and only those", async () => {
    const storage = memoryStorage()
    const mine = new OfflineIndex('u1', storage)
    const gone = [offlineDbName('u1', 'ws_a/workspace'), offlineDbName('u1', 'ws_a/account/acc_1')]
    const kept = [offlineDbName('u1', 'ws_ab/workspace'), offlineDbName('u1', 'ws_b/accounts')]
    for (const name of [...gone, ...kept]) mine.add(name)
    expect(isOfflineDbOfWorkspace('u1', 'ws_a', gone[0] as string)).toBe(true)
    expect(isOfflineDbOfWorkspace('u1', 'ws_a', kept[0] as string)).toBe(false)
    const deleted: string[] = []
    await mine.clearWorkspace('ws_a', async (name) => deleted.push(name))
    expect(deleted.sort()).toEqual([...gone].sort())
    expect(mine.list()).toEqual(kept)
  })
})

describe('LiveRecords', () => {
  it('follows creates and edits, and skips invalid records', () => {
    const doc = new Y.Doc()
    const live = new LiveRecords(doc.getMap<unknown>(ACCOUNTS.name), ACCOUNTS.schema)
    const seen: string[][] = []
    live.onChange((ids) => seen.push(ids))
    const acc = createAccount(doc, { name: 'Acme' }, LOCAL_ORIGIN)
    expect(live.getSnapshot().byId.get(acc.id)?.name).toBe('Acme')
    updateAccount(doc, acc.id, { name: 'Acme Corp' }, LOCAL_ORIGIN)
    expect(live.getSnapshot().byId.get(acc.id)?.name).toBe('Acme Corp')
    const bad = new Y.Map<unknown>()
    doc.getMap<unknown>(ACCOUNTS.name).set('broken', bad)
    bad.set('name', 42)
    expect(live.getSnapshot().byId.has('broken')).toBe(false)
    expect(seen.length).toBeGreaterThanOrEqual(3)
    live.destroy()
  })

  it('undo tracks only the local origin', () => {
    const doc = new Y.Doc()
    const acc = createAccount(doc, { name: 'Acme' }, 'server')
    const um = new Y.UndoManager(doc.getMap(ACCOUNTS.name), { trackedOrigins: new Set([LOCAL_ORIGIN]) })
    updateAccount(doc, acc.id, { city: 'Paris' }, LOCAL_ORIGIN)
    updateAccount(doc, acc.id, { name: 'Remote name' }, 'remote-provider')
    um.undo()
    const map = doc.getMap<Y.Map<unknown>>(ACCOUNTS.name).get(acc.id)
    expect(map?.get('city')).toBe('')
    expect(map?.get('name')).toBe('Remote name')
  })
})

describe('undo shortcuts', () => {
  const base = { ctrlKey: false, metaKey: false, shiftKey: false }
  it('maps Ctrl/Cmd+Z, Shift+Z and Ctrl+Y', () => {
    expect(undoShortcut({ ...base, key: 'z', ctrlKey: true })).toBe('undo')
    expect(undoShortcut({ ...base, key: 'Z', metaKey: true, shiftKey: true })).toBe('redo')
    expect(undoShortcut({ ...base, key: 'y', ctrlKey: true })).toBe('redo')
    expect(undoShortcut({ ...base, key: 'z' })).toBeNull()
  })
})

describe('closing a released document', () => {
  const clean = { unsynced: 0, serverReadOnly: false }
  it('closes an unused, fully synced document while connected', () => {
    expect(mayCloseReleased(clean, 0, true)).toBe(true)
  })
  it('never closes while offline, even with nothing pending', () => {
    expect(mayCloseReleased(clean, 0, false)).toBe(false)
    expect(mayCloseReleased({ unsynced: 2, serverReadOnly: false }, 0, false)).toBe(false)
  })
  it('waits for the server to acknowledge pending edits, unless it can never take them (read-only)', () => {
    expect(mayCloseReleased({ unsynced: 1, serverReadOnly: false }, 0, true)).toBe(false)
    expect(mayCloseReleased({ unsynced: 1, serverReadOnly: true }, 0, true)).toBe(true)
  })
  it('keeps a document somebody uses again', () => {
    expect(mayCloseReleased(clean, 1, true)).toBe(false)
  })
})
