import type { CollectionName } from '@rapport/model'
import { useEffect, useRef, useState, useSyncExternalStore } from 'react'
import type * as Y from 'yjs'
import type { z } from 'zod'
import { LiveRecords, type LiveSnapshot, type RecordChangeListener } from './LiveRecords.ts'

const EMPTY: LiveSnapshot<unknown> = { byId: new Map<string, unknown>(), version: -1 }
const noop = () => () => {}
const empty = () => EMPTY

/** Live, validated records of `collection` in `doc` (empty while `doc` is null). */
export function useLiveRecords<T>(
  doc: Y.Doc | null,
  collection: { name: CollectionName; schema: z.ZodType<T> },
  onChange?: RecordChangeListener,
): LiveSnapshot<T> {
  const { name, schema } = collection
  const [live, setLive] = useState<LiveRecords<T> | null>(null)
  useEffect(() => {
    if (!doc) {
      setLive(null)
      return
    }
    const created = new LiveRecords<T>(doc.getMap<unknown>(name), schema)
    setLive(created)
    return () => created.destroy()
  }, [doc, name, schema])
  const onChangeRef = useRef(onChange)
  onChangeRef.current = onChange
  useEffect(() => live?.onChange((ids, tr) => onChangeRef.current?.(ids, tr)), [live])
  return useSyncExternalStore(live?.subscribe ?? noop, live?.getSnapshot ?? (empty as () => LiveSnapshot<T>))
}
