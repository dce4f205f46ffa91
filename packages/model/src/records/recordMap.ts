import * as Y from 'yjs'
import type { z } from 'zod'
import { ModelError } from '../errors.ts'
import type { CollectionName } from '../layout.ts'
import {
  customFieldKey,
  LEGACY_CUSTOM_FIELDS_KEY,
  readCustomFields,
  recordJSON,
  writeCustomFields,
} from './customFieldEntries.ts'
import { type CustomFieldValue, isEmptyValue } from './customFields.ts'
import { jsonEqual } from './jsonEqual.ts'
import { type CommandOptions, formatIssues, nowOf } from './recordBase.ts'

export { jsonEqual }

/** What every stored record has. */
export interface BaseRecord {
  id: string
  createdAt: number
  updatedAt: number
  archived: boolean
}

/** A collection: its top-level map name in the document and the schema of its records. */
export interface RecordCollection<T extends BaseRecord> {
  name: CollectionName
  schema: z.ZodType<T>
}

/** A collection map: record id → one nested `Y.Map` per record, one entry per field. */
export type RecordMap = Y.Map<unknown>

export interface ReadResult<T> {
  records: T[]
  invalid: Array<{ id: string; issues: string }>
}

/** The top-level map of a collection in `doc`. */
export function collectionMap(doc: Y.Doc, collection: { name: CollectionName }): RecordMap {
  return doc.getMap<unknown>(collection.name)
}

function invalid(message: string, error: z.ZodError): ModelError {
  return new ModelError('invalid_input', message, formatIssues(error))
}

/**
 * Validates `record` against the collection schema and stores it as a new nested `Y.Map`, in one
 * transaction with `origin`. Throws `ModelError('invalid_input')` on invalid input and
 * `ModelError('conflict')` if the id already exists.
 */
export function createRecord<T extends BaseRecord>(
  doc: Y.Doc,
  collection: RecordCollection<T>,
  record: unknown,
  origin: unknown,
): T {
  const parsed = collection.schema.safeParse(record)
  if (!parsed.success) throw invalid(`invalid ${collection.name} record`, parsed.error)
  const value = parsed.data
  const map = collectionMap(doc, collection)
  if (map.has(value.id)) throw new ModelError('conflict', `${collection.name} ${value.id} already exists`)
  doc.transact(() => {
    const fields = new Y.Map<unknown>()
    for (const [key, field] of Object.entries(value)) {
      if (field === undefined) continue
      if (key === LEGACY_CUSTOM_FIELDS_KEY && isCustomValues(field)) {
        for (const [fieldId, v] of Object.entries(field))
          if (!isEmptyValue(v as CustomFieldValue)) fields.set(customFieldKey(fieldId), v)
      } else fields.set(key, field)
    }
    map.set(value.id, fields)
  }, origin)
  return value
}

function recordFields(map: RecordMap, id: string, collection: { name: CollectionName }): Y.Map<unknown> {
  const fields = map.get(id)
  if (!(fields instanceof Y.Map)) throw new ModelError('not_found', `${collection.name} ${id} not found`)
  return fields as Y.Map<unknown>
}

const IMMUTABLE = new Set(['id', 'createdAt', 'updatedAt'])

function isCustomValues(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** `current` custom values with `patch`'s keys applied (an empty value removes the key); a non-object as is. */
function mergeCustomValues(current: Record<string, unknown>, patch: unknown): unknown {
  if (!isCustomValues(patch)) return patch
  const next = { ...current }
  for (const [fieldId, value] of Object.entries(patch)) {
    if (isEmptyValue(value as CustomFieldValue)) delete next[fieldId]
    else next[fieldId] = value
  }
  return next
}

/** Options of `updateRecord`. */
export interface UpdateOptions extends CommandOptions {
  /**
   * Fields of the patch to write even when unchanged. Fields that must stay consistent with each other
   * (a deal's position and status) are written as a group, so that when two replicas write concurrently the
   * same writer wins every field of the group (Y.Map resolves each key separately, by client id).
   */
  writeTogether?: readonly string[]
}

/**
 * Applies `patch` to record `id`: validates the merged record, then sets only the fields whose value
 * changes (plus `writeTogether`, if anything changes) and bumps `updatedAt`, in one transaction. A patch
 * that changes nothing writes nothing. `id`, `createdAt` and `updatedAt` in the patch are ignored.
 * Returns the record after the patch.
 */
export function updateRecord<T extends BaseRecord>(
  doc: Y.Doc,
  collection: RecordCollection<T>,
  id: string,
  patch: Partial<Record<keyof T & string, unknown>>,
  origin: unknown,
  options?: UpdateOptions,
): T {
  const fields = recordFields(collectionMap(doc, collection), id, collection)
  const current = recordJSON(fields)
  const merged: Record<string, unknown> = { ...current }
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined || IMMUTABLE.has(key)) continue
    // Custom values merge per field: the patch's keys are set (an empty value clears), the others are kept.
    merged[key] =
      key === LEGACY_CUSTOM_FIELDS_KEY ? mergeCustomValues(readCustomFields(fields), value) : value
  }
  const parsed = collection.schema.safeParse(merged)
  if (!parsed.success) throw invalid(`invalid patch for ${collection.name} ${id}`, parsed.error)
  const next = parsed.data as T & Record<string, unknown>
  const changed = Object.keys(patch).filter(
    (key) =>
      !IMMUTABLE.has(key) &&
      next[key] !== undefined &&
      !jsonEqual(key === LEGACY_CUSTOM_FIELDS_KEY ? (current[key] ?? {}) : current[key], next[key]),
  )
  if (changed.length === 0) return next
  for (const key of options?.writeTogether ?? []) {
    if (key in patch && !IMMUTABLE.has(key) && next[key] !== undefined && !changed.includes(key))
      changed.push(key)
  }
  const updatedAt = Math.max(nowOf(options), typeof current.updatedAt === 'number' ? current.updatedAt : 0)
  const given = (patch as Record<string, unknown>)[LEGACY_CUSTOM_FIELDS_KEY]
  doc.transact(() => {
    for (const key of changed) {
      // Only the custom fields the patch names are written, each as its own entry (concurrent edits merge).
      if (key === LEGACY_CUSTOM_FIELDS_KEY && isCustomValues(given))
        writeCustomFields(fields, next[key] as Record<string, unknown>, Object.keys(given))
      else fields.set(key, next[key])
    }
    fields.set('updatedAt', updatedAt)
  }, origin)
  return { ...next, updatedAt }
}

/** Sets `archived: true` (records are archived, not deleted, so concurrent edits are never lost). */
export const archiveRecord = archivedSetter(true)

export const restoreRecord = archivedSetter(false)

function archivedSetter(archived: boolean) {
  return <T extends BaseRecord>(
    doc: Y.Doc,
    collection: RecordCollection<T>,
    id: string,
    origin: unknown,
    options?: CommandOptions,
  ): T => {
    const patch = { archived } as Partial<Record<keyof T & string, unknown>>
    return updateRecord(doc, collection, id, patch, origin, options)
  }
}

function parseEntry<T>(id: string, value: unknown, schema: z.ZodType<T>): { ok: T } | { issues: string } {
  if (!(value instanceof Y.Map)) return { issues: '(root): record is not a Y.Map' }
  const parsed = schema.safeParse(recordJSON(value as Y.Map<unknown>))
  if (!parsed.success) return { issues: formatIssues(parsed.error).join('; ') }
  if ((parsed.data as { id?: unknown }).id !== id) return { issues: `id: does not match its key ${id}` }
  return { ok: parsed.data }
}

/** One record, or `null` when it is missing or fails its schema. Never throws on bad data. */
export function readRecord<T>(map: RecordMap, id: string, schema: z.ZodType<T>): T | null {
  if (!map.has(id)) return null
  const entry = parseEntry(id, map.get(id), schema)
  return 'ok' in entry ? entry.ok : null
}

/**
 * Every record of a collection map, sorted by id (map iteration order differs between replicas).
 * Records failing their schema are reported in `invalid` and skipped, never thrown.
 */
export function readRecords<T>(map: RecordMap, schema: z.ZodType<T>): ReadResult<T> {
  const result: ReadResult<T> = { records: [], invalid: [] }
  const ids = [...map.keys()].sort()
  for (const id of ids) {
    const entry = parseEntry(id, map.get(id), schema)
    if ('ok' in entry) result.records.push(entry.ok)
    else result.invalid.push({ id, issues: entry.issues })
  }
  return result
}

/**
 * The ids of records touched by the events of `collectionMap.observeDeep(...)`: records added or removed
 * (events on the collection map itself) and records whose fields changed (events on a nested map).
 */
export function recordChanges(events: ReadonlyArray<Y.YEvent<Y.AbstractType<unknown>>>): string[] {
  const ids = new Set<string>()
  for (const event of events) {
    const [first] = event.path
    if (typeof first === 'string') ids.add(first)
    else if (event.target instanceof Y.Map) for (const key of event.keys.keys()) ids.add(key)
  }
  return [...ids].sort()
}

/** Calls `listener` with the changed record ids and the transaction for every change; returns the unsubscribe. */
export function observeRecords(
  map: RecordMap,
  listener: (ids: string[], transaction: Y.Transaction) => void,
): () => void {
  const handler = (events: Array<Y.YEvent<Y.AbstractType<unknown>>>, transaction: Y.Transaction): void => {
    const ids = recordChanges(events)
    if (ids.length > 0) listener(ids, transaction)
  }
  map.observeDeep(handler)
  return () => map.unobserveDeep(handler)
}
