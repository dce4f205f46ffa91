import { mkdir, rm } from 'node:fs/promises'
import { accessTo } from '@rapport/model'
import { Hono, type MiddlewareHandler } from 'hono'
import { stream } from 'hono/streaming'
import { z } from 'zod'
import type { SessionInfo } from '../auth/sessionInfo.ts'
import { conflict, forbidden, notFound } from '../errors.ts'
import type { AppEnv } from '../http/app.ts'
import type { RouteDoc } from '../http/openapi.ts'
import { readJsonBody } from '../http/routes/auth.ts'
import { saveUpload, summarize } from './csvFile.ts'
import { type ImportJob, type ImportJobs, ImportSettings, recordRef } from './ImportJobs.ts'
import { IMPORT_KINDS, type ImportKind, suggestMapping } from './importFields.ts'

export const ImportKindQuery = z.object({ kind: z.enum(IMPORT_KINDS) })
export const ImportUploadQuery = z.object({
  kind: z.enum(IMPORT_KINDS),
  fileName: z.string().trim().min(1).max(200).default('import.csv'),
})

/** The public view of an import (`GET /api/imports/:id`). */
export function importView(job: ImportJob) {
  return {
    id: job.id,
    kind: job.kind,
    fileName: job.fileName,
    status: job.status,
    total: job.total,
    processed: job.processed,
    created: job.created,
    updated: job.updated,
    skipped: job.skipped,
    failed: job.failed,
    uploadedAt: job.uploadedAt,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt,
    createdBy: job.createdBy,
    createdByName: job.createdByName,
    separator: job.separator,
    columns: job.columns,
    rowCount: job.rowCount,
    lastRow: job.lastRow,
    ...(job.error ? { error: job.error } : {}),
    ...(job.undo ? { undo: job.undo } : {}),
  }
}

/** Whether the caller may import records of `kind` (write access to that kind's documents, as creating needs). */
const mayImport = (session: SessionInfo, kind: ImportKind): boolean =>
  accessTo(session, recordRef(session.workspaceId, kind, 'import')) === 'write'

function requireImport(session: SessionInfo, kind: ImportKind): void {
  if (!mayImport(session, kind))
    throw forbidden(`Your role (${session.role}) may not create ${kind}, so it may not import them.`)
}

const actorOf = (session: SessionInfo) => ({ userId: session.userId, name: session.name })

/** `/api/imports…`: CSV import jobs of the caller's workspace (docs/schema.md §5.5). */
export function importRoutes(deps: { jobs: ImportJobs; session: MiddlewareHandler<AppEnv> }): Hono<AppEnv> {
  const { jobs, session } = deps
  const app = new Hono<AppEnv>()

  const jobOf = (s: SessionInfo, id: string): ImportJob => {
    const job = jobs.get(s.workspaceId, id)
    if (!job) throw notFound(`There is no import ${id}.`)
    requireImport(s, job.kind)
    return job
  }

  app.get('/imports/fields', session, async (c) => {
    const s = c.get('session')
    const { kind } = ImportKindQuery.parse(c.req.query())
    requireImport(s, kind)
    return c.json({ fields: await jobs.fieldsOf(s.workspaceId, kind) })
  })

  app.get('/imports', session, (c) => {
    const s = c.get('session')
    return c.json({
      imports: jobs
        .list(s.workspaceId)
        .filter((j) => mayImport(s, j.kind))
        .map(importView),
    })
  })

  app.post('/imports', session, async (c) => {
    const s = c.get('session')
    const { kind, fileName } = ImportUploadQuery.parse(c.req.query())
    requireImport(s, kind)
    const id = jobs.newId()
    await mkdir(jobs.dir(id), { recursive: true })
    try {
      await saveUpload(c.req.raw.body, jobs.filePath(id))
      const summary = await summarize(jobs.filePath(id))
      const fields = await jobs.fieldsOf(s.workspaceId, kind)
      const job: ImportJob = {
        id,
        workspaceId: s.workspaceId,
        kind,
        fileName,
        status: 'uploaded',
        separator: summary.separator,
        columns: summary.columns,
        rowCount: summary.rowCount,
        total: summary.rowCount,
        processed: 0,
        created: 0,
        updated: 0,
        skipped: 0,
        failed: 0,
        uploadedAt: Date.now(),
        startedAt: null,
        finishedAt: null,
        createdBy: s.userId,
        createdByName: s.name,
        lastRow: 0,
        settings: null,
      }
      await jobs.add(job)
      return c.json(
        {
          ...importView(job),
          suggestedMapping: suggestMapping(kind, summary.columns, fields),
          sample: summary.sample,
        },
        201,
      )
    } catch (error) {
      await rm(jobs.dir(id), { recursive: true, force: true })
      throw error
    }
  })

  app.get('/imports/:id', session, (c) => c.json(importView(jobOf(c.get('session'), c.req.param('id')))))

  app.post('/imports/:id/preview', session, async (c) => {
    const s = c.get('session')
    const job = jobOf(s, c.req.param('id'))
    const settings = await readJsonBody(c, ImportSettings)
    return c.json({ rows: await jobs.preview(job, settings) })
  })

  app.post('/imports/:id/start', session, async (c) => {
    const s = c.get('session')
    const job = jobOf(s, c.req.param('id'))
    const settings = await readJsonBody(c, ImportSettings)
    if (job.status !== 'uploaded')
      throw conflict(`The import is ${job.status}; only an uploaded file can be started.`)
    await jobs.start(job, settings, actorOf(s))
    return c.json(importView(job), 202)
  })

  app.post('/imports/:id/resume', session, async (c) => {
    const s = c.get('session')
    const job = jobOf(s, c.req.param('id'))
    if (job.status !== 'interrupted' || !job.settings)
      throw conflict(`The import is ${job.status}; only an interrupted import can be resumed.`)
    await jobs.start(job, job.settings, actorOf(s))
    return c.json(importView(job), 202)
  })

  app.post('/imports/:id/cancel', session, (c) => {
    const s = c.get('session')
    const job = jobOf(s, c.req.param('id'))
    if (job.status !== 'running')
      throw conflict(`The import is ${job.status}; only a running import can be cancelled.`)
    jobs.cancel(job)
    return c.json(importView(job), 202)
  })

  app.post('/imports/:id/undo', session, async (c) => {
    const s = c.get('session')
    const job = jobOf(s, c.req.param('id'))
    if (!['done', 'cancelled', 'interrupted', 'failed'].includes(job.status) || job.undo?.state === 'running')
      throw conflict(
        job.undo?.state === 'running'
          ? 'The import is being undone.'
          : `The import is ${job.status}; only a finished, cancelled, failed or interrupted import can be undone.`,
      )
    await jobs.undo(job, actorOf(s))
    return c.json(importView(job), 202)
  })

  app.get('/imports/:id/failed.csv', session, (c) => {
    const s = c.get('session')
    const job = jobOf(s, c.req.param('id'))
    const base = job.fileName.replace(/\.csv$/i, '').replace(/[^A-Za-z0-9 ._-]/g, '_') || 'import'
    c.header('content-type', 'text/csv; charset=utf-8')
    c.header('content-disposition', `attachment; filename="${base}-failed.csv"`)
    return stream(c, async (out) => {
      await out.write('\ufeff')
      for await (const chunk of jobs.failedCsv(job)) await out.write(chunk)
    })
  })

  return app
}

/** OpenAPI entries of the import routes (merged into `recordRouteDocs`). */
export const importRouteDocs: Record<string, RouteDoc> = {
  'GET /api/imports/fields': {
    summary: 'The fields a CSV of this kind can be mapped to (custom fields `cf.<id>` and lookups included)',
    query: ImportKindQuery,
  },
  'GET /api/imports': { summary: "The workspace's imports, newest first (import history)" },
  'POST /api/imports': {
    summary:
      'Upload a CSV file (the raw bytes as the body, `Content-Type: text/csv`, up to 200 MiB): columns, suggested mapping, first rows',
    query: ImportUploadQuery,
    rawBody: 'text/csv',
  },
  'GET /api/imports/{id}': { summary: "An import's status and counts" },
  'POST /api/imports/{id}/preview': {
    summary: 'The first 50 rows as the import would write them, with per-row errors and duplicates',
    body: ImportSettings,
  },
  'POST /api/imports/{id}/start': {
    summary: 'Start the import job with a mapping and a duplicate policy',
    body: ImportSettings,
  },
  'POST /api/imports/{id}/resume': { summary: 'Resume an interrupted import after its last committed row' },
  'POST /api/imports/{id}/cancel': { summary: 'Stop a running import after its current batch' },
  'POST /api/imports/{id}/undo': {
    summary: 'Archive the records an import created and revert its updates (where unchanged since)',
  },
  'GET /api/imports/{id}/failed.csv': { summary: "The import's failed rows as CSV with a `reason` column" },
}
