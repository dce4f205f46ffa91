import { ACCOUNTS, TIMELINE } from '@rapport/model'
import { useCallback, useEffect, useRef, useState } from 'react'
import * as Y from 'yjs'
import { useLiveRecords } from '../../collab/useLiveRecords.ts'
import { useMemberLookup } from '../auth/SessionContext.tsx'
import {
  type CommittedSet,
  committedSets,
  type ReplacedSet,
  replacedSets,
  writerOf,
} from './fieldConflict.ts'

/** A value we committed that a concurrent set replaced: as the field shows them (null → '') and as stored. */
export interface FieldConflict {
  mine: string
  theirs: string
  mineValue: unknown
  theirsValue: unknown
  /** The writer's name from the server's timeline; null until its entry arrives. */
  who: string | null
}

const shown = (value: unknown): string =>
  typeof value === 'string'
    ? value
    : value == null
      ? ''
      : Array.isArray(value)
        ? value.map(String).join(', ')
        : String(value)

/**
 * Remembers the values this client committed to the account's fields and notices when one of them is replaced by a
 * REMOTE set written without seeing it (a concurrent set Yjs kept over ours by client id): that field then has a
 * conflict until it is dismissed or the field is committed again. A later edit by someone who had seen our value is
 * an ordinary change, not a conflict. The writer's name comes from the timeline entry the server wrote for the kept
 * value (attributed to the connection that sent it), never from what a client claims.
 */
export function useFieldConflicts(accountsDoc: Y.Doc | null, roomDoc: Y.Doc | null, accountId: string) {
  const committed = useRef(new Map<string, CommittedSet>())
  const [conflicts, setConflicts] = useState<ReadonlyMap<string, ReplacedSet>>(new Map())
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
      const { conflicts: found, settled } = replacedSets(
        event.target as Y.Map<unknown>,
        event.keysChanged,
        committed.current,
      )
      for (const field of settled) committed.current.delete(field)
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

  /**
   * Call right after committing `fields` (record-map keys: `committedKeys(patch)`, so a custom field is its
   * `cf:<fieldId>` entry) locally: remembers our items, and clears those fields' conflicts.
   */
  const remember = useCallback(
    (fields: string[]) => {
      const record = recordOf()
      if (!record) return
      for (const [field, set] of committedSets(record, fields)) committed.current.set(field, set)
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
    const raw = conflict.theirs == null || conflict.theirs === '' ? ['', null] : [conflict.theirs]
    const writer = raw.map((v) => writerOf(timeline.byId.values(), accountId, field, v)).find(Boolean)
    return {
      mine: shown(conflict.mine),
      theirs: shown(conflict.theirs),
      mineValue: conflict.mine,
      theirsValue: conflict.theirs,
      who: writer ? (memberOf(writer)?.name ?? null) : null,
    }
  }

  return { remember, dismiss, conflictOf }
}
