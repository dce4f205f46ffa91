import {
  ClosedDays,
  CUSTOM_FIELD_ENTITIES,
  CUSTOM_FIELD_TYPES,
  CurrencySettings,
  CustomFieldDef,
  SlaPolicy,
  StageInput,
  StagePatch,
} from '@rapport/model'
import { Hono, type MiddlewareHandler } from 'hono'
import { z } from 'zod'
import { forbidden } from '../errors.ts'
import type { AppEnv } from '../http/app.ts'
import type { RouteDoc } from '../http/openapi.ts'
import { readJsonBody } from '../http/routes/auth.ts'
import type { SettingsService } from './SettingsService.ts'

const index = z.number().int().min(0).max(1000)
export const SettingsNameBody = z.object({ name: z.string().trim().min(1).max(200) })
/** `PUT /api/settings/board`: days a won or lost card stays on the board (1..365). */
export const BoardSettingsBody = z.object({
  closedDays: ClosedDays,
})
export const PipelineCreateBody = z.object({ name: z.string().trim().min(1).max(100) })
export const PipelinePatchBody = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    archived: z.boolean().optional(),
    index: index.optional(),
  })
  .refine((p) => Object.values(p).some((v) => v !== undefined), 'name, archived or index is required')
export const StageCreateBody = StageInput.extend({ index: index.optional() })
export const StagePatchBody = StagePatch.extend({ index: index.optional() })
export const StageRemoveQuery = z.object({ moveTo: z.string().min(1).max(64) })
export const CustomFieldCreateBody = z.object({
  label: CustomFieldDef.shape.label,
  entity: z.enum(CUSTOM_FIELD_ENTITIES),
  type: z.enum(CUSTOM_FIELD_TYPES),
  options: CustomFieldDef.shape.options.default([]),
  required: z.boolean().default(false),
})
export const CustomFieldPatchBody = z.object({
  label: CustomFieldDef.shape.label.optional(),
  options: CustomFieldDef.shape.options.optional(),
  required: z.boolean().optional(),
})

/**
 * `/api/settings/...`: every member reads (`GET`); only admins change (403 otherwise). See docs/schema.md
 * "Settings over REST".
 */
export function settingsRoutes(deps: {
  settings: SettingsService
  session: MiddlewareHandler<AppEnv>
}): Hono<AppEnv> {
  const { settings } = deps
  const app = new Hono<AppEnv>()
  const session = deps.session
  // Checked before the body is read, so a non-admin learns "not allowed" rather than what the body lacks.
  const admin: MiddlewareHandler<AppEnv> = async (c, next) => {
    if (c.get('session').role !== 'admin') throw forbidden('Only an admin can change the workspace settings.')
    await next()
  }
  const read = async (c: { get(key: 'session'): AppEnv['Variables']['session'] }) => {
    const { invalid: _invalid, ...rest } = await settings.read(c.get('session'))
    return rest
  }

  app.get('/settings', session, async (c) => c.json(await read(c)))
  app.put('/settings/name', session, admin, async (c) => {
    const body = await readJsonBody(c, SettingsNameBody)
    await settings.setName(c.get('session'), body.name)
    return c.json({ name: body.name })
  })
  app.get('/settings/sla', session, async (c) => c.json((await read(c)).sla))
  app.put('/settings/sla', session, admin, async (c) => {
    const body = await readJsonBody(c, SlaPolicy)
    return c.json(await settings.setSla(c.get('session'), body))
  })
  app.get('/settings/currency', session, async (c) => c.json((await read(c)).currency))
  app.put('/settings/currency', session, admin, async (c) => {
    const body = await readJsonBody(c, CurrencySettings)
    return c.json(await settings.setCurrency(c.get('session'), body))
  })

  app.get('/settings/board', session, async (c) => c.json({ closedDays: (await read(c)).closedDays }))
  app.put('/settings/board', session, admin, async (c) => {
    const body = await readJsonBody(c, BoardSettingsBody)
    return c.json({ closedDays: await settings.setClosedDays(c.get('session'), body.closedDays) })
  })

  app.get('/settings/pipelines', session, async (c) => c.json({ pipelines: (await read(c)).pipelines }))
  app.post('/settings/pipelines', session, admin, async (c) => {
    const body = await readJsonBody(c, PipelineCreateBody)
    return c.json(await settings.createPipeline(c.get('session'), body), 201)
  })
  app.patch('/settings/pipelines/:pipelineId', session, admin, async (c) => {
    const body = await readJsonBody(c, PipelinePatchBody)
    return c.json(await settings.updatePipeline(c.get('session'), c.req.param('pipelineId'), body))
  })
  app.post('/settings/pipelines/:pipelineId/stages', session, admin, async (c) => {
    const body = await readJsonBody(c, StageCreateBody)
    return c.json(await settings.addStage(c.get('session'), c.req.param('pipelineId'), body), 201)
  })
  app.patch('/settings/pipelines/:pipelineId/stages/:stageId', session, admin, async (c) => {
    const body = await readJsonBody(c, StagePatchBody)
    return c.json(
      await settings.updateStage(c.get('session'), c.req.param('pipelineId'), c.req.param('stageId'), body),
    )
  })
  app.delete('/settings/pipelines/:pipelineId/stages/:stageId', session, admin, async (c) => {
    const { moveTo } = StageRemoveQuery.parse(c.req.query())
    return c.json(
      await settings.removeStage(c.get('session'), c.req.param('pipelineId'), c.req.param('stageId'), moveTo),
    )
  })

  app.get('/settings/custom-fields', session, async (c) =>
    c.json({ customFields: (await read(c)).customFields }),
  )
  app.post('/settings/custom-fields', session, admin, async (c) => {
    const body = await readJsonBody(c, CustomFieldCreateBody)
    return c.json(await settings.createCustomField(c.get('session'), body), 201)
  })
  app.patch('/settings/custom-fields/:fieldId', session, admin, async (c) => {
    const body = await readJsonBody(c, CustomFieldPatchBody)
    return c.json(await settings.updateCustomField(c.get('session'), c.req.param('fieldId'), body))
  })
  app.delete('/settings/custom-fields/:fieldId', session, admin, async (c) => {
    await settings.removeCustomField(c.get('session'), c.req.param('fieldId'))
    return c.body(null, 204)
  })
  return app
}

/** OpenAPI entries of the settings routes (merged into `recordRouteDocs`). */
export const settingsRouteDocs: Record<string, RouteDoc> = {
  'GET /api/settings': {
    summary: 'The workspace settings: name, pipelines and stages, custom fields, SLA policy, currency',
  },
  'PUT /api/settings/name': { summary: 'Rename the workspace (admin)', body: SettingsNameBody },
  'GET /api/settings/sla': { summary: 'The SLA policy: first response and resolution targets per priority' },
  'PUT /api/settings/sla': {
    summary: "Replace the SLA policy (admin); a ticket's due time follows it on its next priority change",
    body: SlaPolicy,
  },
  'GET /api/settings/currency': { summary: 'The base currency and exchange rates' },
  'PUT /api/settings/currency': {
    summary: 'Set the base currency and rates (admin); rates[X] = value of one X in the base currency',
    body: CurrencySettings,
  },
  'GET /api/settings/board': { summary: 'How many days a won or lost card stays on the board (closedDays)' },
  'PUT /api/settings/board': {
    summary: 'Set closedDays (admin): days a won or lost card stays on the board after entering its stage',
    body: BoardSettingsBody,
  },
  'GET /api/settings/pipelines': { summary: 'Every pipeline with its stages, in order (archived ones too)' },
  'POST /api/settings/pipelines': {
    summary: 'Create a pipeline (admin), last, with stages New, Won and Lost',
    body: PipelineCreateBody,
  },
  'PATCH /api/settings/pipelines/{pipelineId}': {
    summary: 'Rename, archive/unarchive or reorder a pipeline (admin)',
    body: PipelinePatchBody,
  },
  'POST /api/settings/pipelines/{pipelineId}/stages': {
    summary: 'Add a stage (admin); without index it goes before the first won/lost stage',
    body: StageCreateBody,
  },
  'PATCH /api/settings/pipelines/{pipelineId}/stages/{stageId}': {
    summary: 'Rename a stage, change its probability, rot-after days or outcome, or move it to index (admin)',
    body: StagePatchBody,
  },
  'DELETE /api/settings/pipelines/{pipelineId}/stages/{stageId}': {
    summary: 'Remove a stage (admin): its deals first move to the stage `moveTo` (required)',
    query: StageRemoveQuery,
  },
  'GET /api/settings/custom-fields': { summary: 'Every custom-field definition' },
  'POST /api/settings/custom-fields': {
    summary: 'Define a custom field for accounts, contacts, deals or tickets (admin)',
    body: CustomFieldCreateBody,
  },
  'PATCH /api/settings/custom-fields/{fieldId}': {
    summary: "Change a custom field's label, choices or required flag (admin); its type and kind stay",
    body: CustomFieldPatchBody,
  },
  'DELETE /api/settings/custom-fields/{fieldId}': {
    summary: 'Remove a custom-field definition (admin); stored values stay but are no longer shown',
  },
}
