import { ACCOUNTS, TIMELINE } from '@rapport/model'
import { useCallback, useEffect, useRef, useState } from 'react'
import * as Y from 'yjs'
import { useLiveRecords } from '../../collab/useLiveRecords.ts'
import { useMemberLookup } from '../auth/SessionContext.tsx'
import { classifyOverwrite, containsId, type ItemId, type KeyItem, writerOf } from './fieldConflict.ts'

/** A value we committed that a concurrent set replaced. Values as the field shows them (null → ''). */
export interface FieldConflict {
  mine: string
  theirs: string
  /** The writer's name from the server's timeline; null until its entry arrives. */
  who: string | null
}

interface Committed {
  value: string
  item: ItemId
}

const HISTORY = 500
const shown = (value: unknown): string =>
  typeof value === 'string' ? value : value == null ? '' : String(value)

const keyItem = (item: Y.Item): KeyItem => ({ id: item.id, length: item.length, origin: item.origin })

/** The key's history, newest first, as far back as HISTORY items. */
const historyOf = (record: Y.Map<unknown>, field: string): Y.Item[] => {
  const items: Y.Item[] = []
  for (let item = record._map.get(field) ?? null; item && items.length < HISTORY; item = item.left)
    items.push(item)
  return items
}

/**
 * Remembers the values this client committed to the account's fields and notices when one of them is replaced by a
 * REMOTE set written without seeing it (a concurrent set Yjs kept over ours by client id): that field then has a
 * conflict until it is dismissed or the field is committed again. A later edit by someone who had seen our value is
 * an ordinary change, not a conflict. The writer's name comes from the timeline entry the server wrote for the kept
 * value (attributed to the connection that sent it), never from what a client claims.
 */
export function useFieldConflicts(accountsDoc: Y.Doc | null, roomDoc: Y.Doc | null, accountId: string) {
  const committed = useRef(new Map<string, Committed>())
  const [conflicts, setConflicts] = useState<ReadonlyMap<string, Omit<FieldConflict, 'who'>>>(new Map())
  const timeline = useLiveRecords(roomDoc, TIMELINE)
  const memberOf = useMemberLookup()

  const recordOf = useCallback((): Y.Map<unknown> | null => {
    const record = accountsDoc?.getMap<unknown>(ACCOUNTS.name).get(accountId)
    return record instanceof Y.Map ? record : null
  }, [accountsDoc, accountId])

  useEffect(() => {
    committed.current.clear()
    setConflicts(new Map())
    if (!accountsDoc) return
    const collection = accountsDoc.getMap<unknown>(ACCOUNTS.name)
    let record: Y.Map<unknown> | null = null
    const onRecord = (event: Y.YMapEvent<unknown>, txn: Y.Transaction): void => {
      if (txn.local) return
      const found = new Map<string, Omit<FieldConflict, 'who'>>()
      for (const field of event.keysChanged) {
        const mine = committed.current.get(field)
        const current = event.target._map.get(field)
        if (!mine || !current || current.deleted) continue
        const items = historyOf(event.target as Y.Map<unknown>, field).map(keyItem)
        const itemAt = (id: ItemId) => items.find((item) => containsId(item, id))
        const how = classifyOverwrite(mine.item, keyItem(current), itemAt)
        if (how === 'mine') continue
        committed.current.delete(field)
        if (how === 'concurrent')
          found.set(field, { mine: mine.value, theirs: shown(event.target.get(field)) })
      }
      if (found.size > 0) setConflicts((prev) => new Map([...prev, ...found]))
    }
    const bind = (): void => {
      const next = collection.get(accountId)
      const nextRecord = next instanceof Y.Map ? next : null
      if (nextRecord === record) return
      record?.unobserve(onRecord)
      record = nextRecord
      record?.observe(onRecord)
    }
    const onCollection = (event: Y.YMapEvent<unknown>): void => {
      if (event.keysChanged.has(accountId)) bind()
    }
    bind()
    collection.observe(onCollection)
    return () => {
      collection.unobserve(onCollection)
      record?.unobserve(onRecord)
    }
  }, [accountsDoc, accountId])

  /** Call right after committing `fields` locally: remembers our items, and clears those fields' conflicts. */
  const remember = useCallback(
    (fields: string[]) => {
      const record = recordOf()
      if (!record) return
      for (const field of fields) {
        const item = record._map.get(field)
        if (item && !item.deleted)
          committed.current.set(field, { value: shown(record.get(field)), item: item.id })
      }
      setConflicts((prev) => {
        if (!fields.some((f) => prev.has(f))) return prev
        const next = new Map(prev)
        for (const field of fields) next.delete(field)
        return next
      })
    },
    [recordOf],
  )

  const dismiss = useCallback((field: string) => {
    setConflicts((prev) => {
      if (!prev.has(field)) return prev
      const next = new Map(prev)
      next.delete(field)
      return next
    })
  }, [])

  const conflictOf = (field: string): FieldConflict | null => {
    const conflict = conflicts.get(field)
    if (!conflict) return null
    const raw = conflict.theirs === '' ? [conflict.theirs, null] : [conflict.theirs]
    const writer = raw.map((v) => writerOf(timeline.byId.values(), accountId, field, v)).find(Boolean)
    return { ...conflict, who: writer ? (memberOf(writer)?.name ?? null) : null }
  }

  return { remember, dismiss, conflictOf }
}
