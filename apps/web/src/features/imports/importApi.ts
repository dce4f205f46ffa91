import { z } from 'zod'
import { IMPORT_ROUTE_KINDS, type ImportKind } from '../../app/route.ts'
import { request } from '../auth/authApi.ts'

/** The record kinds a CSV can be imported into (`#/import/<kind>`). */
export const IMPORT_KINDS = IMPORT_ROUTE_KINDS
export type { ImportKind }

/** An importable field of `GET /api/imports/fields` (custom fields are `cf.<fieldId>`). */
export const ImportField = z.object({
  key: z.string(),
  label: z.string(),
  type: z.string(),
  required: z.boolean(),
  choices: z
    .array(z.union([z.string(), z.object({ value: z.string(), label: z.string() }).loose()]))
    .optional(),
})
export type ImportField = z.infer<typeof ImportField>

/** Which column each CSV column goes to: a field key, or `null` to skip it. */
export type ColumnMapping = Record<string, string | null>

/** `POST /api/imports` (the uploaded file, read far enough to map it). */
export const UploadedImport = z
  .object({
    id: z.string(),
    kind: z.string(),
    fileName: z.string(),
    status: z.string(),
    separator: z.string(),
    columns: z.array(z.string()),
    suggestedMapping: z.record(z.string(), z.string().nullable()),
    sample: z.array(z.record(z.string(), z.string())),
    rowCount: z.number().nullable(),
  })
  .loose()
export type UploadedImport = z.infer<typeof UploadedImport>

export const DUPLICATE_POLICIES = ['skip', 'update', 'create'] as const
export type DuplicatePolicy = (typeof DUPLICATE_POLICIES)[number]
export const MATCH_ON = ['email', 'domain', 'name', 'column'] as const
export type MatchOn = (typeof MATCH_ON)[number]

export interface DuplicateSettings {
  policy: DuplicatePolicy
  matchOn: MatchOn
  /** The field key compared when `matchOn` is `column`. */
  column?: string
}

export const PreviewRow = z.object({
  row: z.number(),
  values: z.record(z.string(), z.unknown()),
  errors: z.array(z.object({ field: z.string(), message: z.string() })),
  duplicateOf: z.object({ id: z.string(), label: z.string() }).nullable(),
})
export type PreviewRow = z.infer<typeof PreviewRow>

export const IMPORT_STATUSES = [
  'uploaded',
  'running',
  'done',
  'cancelled',
  'failed',
  'interrupted',
  'undone',
] as const
export type ImportStatus = (typeof IMPORT_STATUSES)[number]

/** `GET /api/imports/:id`: an import job and its counts. */
export const ImportJob = z
  .object({
    id: z.string(),
    kind: z.string(),
    fileName: z.string(),
    status: z.enum(IMPORT_STATUSES),
    total: z.number().nullable(),
    processed: z.number(),
    created: z.number(),
    updated: z.number(),
    skipped: z.number(),
    failed: z.number(),
    startedAt: z.number().nullable().optional(),
    finishedAt: z.number().nullable().optional(),
    createdBy: z.string().nullable().optional(),
    createdByName: z.string().nullable().optional(),
    error: z.string().optional(),
    /** The undo of this import: records archived, updates reverted, updates kept because someone changed them since. */
    undo: z
      .object({
        state: z.enum(['running', 'done']),
        archived: z.number(),
        reverted: z.number(),
        kept: z.number(),
        message: z.string().optional(),
      })
      .optional(),
  })
  .loose()
export type ImportJob = z.infer<typeof ImportJob>

const json = (body: unknown): RequestInit => ({ method: 'POST', body: JSON.stringify(body) })
const path = (id: string, rest = '') => `/api/imports/${encodeURIComponent(id)}${rest}`

export const importApi = {
  fields: (kind: ImportKind) =>
    request(`/api/imports/fields?kind=${kind}`, z.object({ fields: z.array(ImportField) })).then(
      (r) => r.fields,
    ),
  /** Sends the file's bytes as they are (the server streams them to disk). */
  upload: (kind: ImportKind, file: Blob, fileName: string) =>
    request(`/api/imports?kind=${kind}&fileName=${encodeURIComponent(fileName)}`, UploadedImport, {
      method: 'POST',
      body: file,
      headers: { 'content-type': 'text/csv' },
    }),
  preview: (id: string, mapping: ColumnMapping, duplicates: DuplicateSettings) =>
    request(
      path(id, '/preview'),
      z.object({ rows: z.array(PreviewRow) }),
      json({ mapping, duplicates }),
    ).then((r) => r.rows),
  start: (id: string, mapping: ColumnMapping, duplicates: DuplicateSettings) =>
    request(path(id, '/start'), z.unknown(), json({ mapping, duplicates })),
  get: (id: string) => request(path(id), ImportJob),
  list: () => request('/api/imports', z.object({ imports: z.array(ImportJob) })).then((r) => r.imports),
  // The answers of these actions are not read: the job is fetched again after them.
  cancel: (id: string) => request(path(id, '/cancel'), z.unknown(), json({})),
  undo: (id: string) => request(path(id, '/undo'), z.unknown(), json({})),
  resume: (id: string) => request(path(id, '/resume'), z.unknown(), json({})),
  failedRowsHref: (id: string) => path(id, '/failed.csv'),
}
