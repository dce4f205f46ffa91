import type { Hocuspocus } from '@hocuspocus/server'
import {
  type CustomFieldEntity,
  CustomFieldValue,
  type CustomFieldValues,
  customFieldProblems,
  withCustomFieldValue,
} from '@rapport/model'
import { z } from 'zod'
import { badRequest } from '../errors.ts'
import { readWorkspaceSettings } from './SettingsService.ts'

const ENTITY_OF_LIST: Readonly<Record<string, CustomFieldEntity>> = {
  accounts: 'account',
  contacts: 'contact',
  deals: 'deal',
  tickets: 'ticket',
}

const PatchValues = z.record(z.string(), CustomFieldValue)

/**
 * Checks the `customFields` of a REST create or patch against the workspace's definitions for the record kind and
 * throws 400 `invalid_input` naming every failing field in plain words. A create must fill every required field;
 * a patch may not clear one. Ids that are not fields of the kind are refused. A patch MERGES into the record's
 * values (a key set to `null` clears that field): returns the full object to store, or `undefined` when the input
 * has no `customFields`.
 */
export async function checkCustomFieldInput(
  hocuspocus: Hocuspocus,
  workspaceId: string,
  listKind: string,
  input: unknown,
  mode: 'create' | { current: Record<string, unknown> | undefined },
  /** The workspace's members, asked for only when values are given (a `user` field must name one). */
  memberIds?: () => ReadonlySet<string> | undefined,
): Promise<CustomFieldValues | undefined> {
  const entity = ENTITY_OF_LIST[listKind]
  if (!entity) return undefined
  const given =
    typeof input === 'object' && input !== null
      ? (input as { customFields?: unknown }).customFields
      : undefined
  // A patch without custom fields needs no definitions (no document load on the hot path).
  if (given === undefined && mode !== 'create') return undefined
  const settings = await readWorkspaceSettings(hocuspocus, workspaceId)
  if (given === undefined) {
    const missing = customFieldProblems(settings.customFields, entity, {}, { required: 'all' })
    if (missing.length > 0) throw badRequest(missing.map((p) => p.message).join(' '), 'invalid_input')
    return undefined
  }
  const values = PatchValues.parse(given)
  const problems = customFieldProblems(settings.customFields, entity, values, {
    required: mode === 'create' ? 'all' : 'given',
    unknown: 'report',
    memberIds: memberIds?.(),
  })
  if (problems.length > 0) throw badRequest(problems.map((p) => p.message).join(' '), 'invalid_input')
  if (mode === 'create') return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== null))
  return mergeCustomFieldPatch(mode.current, values)
}

/**
 * `stored` (a record's `customFields`, tolerant) with the patch's keys applied (`null` clears): what the record will
 * read after the patch. The write itself passes only the patch's keys to the model command, which merges per field
 * on the document's own value (docs/schema.md §3.9).
 */
export function mergeCustomFieldPatch(
  stored: unknown,
  patch: Readonly<Record<string, CustomFieldValue>>,
): CustomFieldValues {
  let merged = PatchValues.catch({}).parse(stored ?? {})
  for (const [id, value] of Object.entries(patch)) merged = withCustomFieldValue(merged, id, value)
  return merged
}
