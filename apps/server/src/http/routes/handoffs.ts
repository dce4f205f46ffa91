import {
  accessTo,
  CHECKLIST,
  checklistFor,
  collectionMap,
  docName,
  HANDOFFS,
  Handoff,
  idString,
  readRecords,
  Team,
} from '@rapport/model'
import { Hono, type MiddlewareHandler } from 'hono'
import { z } from 'zod'
import type { Automation } from '../../automation/Automation.ts'
import { HandoffFlow } from '../../automation/handoffFlow.ts'
import { forbidden } from '../../errors.ts'
import type { AppEnv } from '../app.ts'
import { readJsonBody } from './auth.ts'

export interface HandoffServices {
  automation: Automation
  session: MiddlewareHandler<AppEnv>
}

export const HandoffCreateBody = z.object({
  toUserId: idString.nullable().optional(),
  toTeam: Team.optional(),
  dealId: idString.nullable().optional(),
})
export const HandoffSendBody = z.object({ toUserId: idString.nullable().optional(), toTeam: Team.optional() })
export const HandoffReturnBody = z.object({ comment: z.string().trim().min(1).max(2000) })

const optionalBody = async <T>(c: Parameters<typeof readJsonBody>[0], schema: z.ZodType<T>): Promise<T> =>
  (c.req.header('content-type') ?? '').includes('json') ? readJsonBody(c, schema) : schema.parse({})

/**
 * `/api/accounts/:accountId/handoffs[...]`: list, create, send, accept, send back. Status changes go through
 * here (not client writes) so the receiver check, the account's new owner/team, the timeline and the
 * notifications happen together on the server.
 */
export function handoffRoutes(services: HandoffServices): Hono<AppEnv> {
  const flow = new HandoffFlow(services.automation)
  const app = new Hono<AppEnv>()
  const params = (c: { req: { param(name: string): string | undefined } }) => ({
    accountId: idString.parse(c.req.param('accountId')),
    handoffId: idString.parse(c.req.param('handoffId') ?? 'none'),
  })

  app.get('/accounts/:accountId/handoffs', services.session, async (c) => {
    const session = c.get('session')
    const { accountId } = params(c)
    const ref = { workspaceId: session.workspaceId, kind: 'account', accountId } as const
    if (accessTo(session, ref) === 'none') throw forbidden()
    const connection = await services.automation.deps.hocuspocus.openDirectConnection(docName(ref), {
      system: true,
    })
    try {
      const doc = connection.document
      if (!doc) return c.json({ items: [] })
      const checklist = collectionMap(doc, CHECKLIST)
      const items = readRecords(collectionMap(doc, HANDOFFS), Handoff).records.map((h) => ({
        ...h,
        checklist: checklistFor(checklist, h.id),
      }))
      return c.json({ items })
    } finally {
      await connection.disconnect()
    }
  })

  app.post('/accounts/:accountId/handoffs', services.session, async (c) => {
    const body = await optionalBody(c, HandoffCreateBody)
    const handoff = await flow.create(c.get('session'), params(c).accountId, body)
    return c.json(handoff, 201)
  })

  app.post('/accounts/:accountId/handoffs/:handoffId/send', services.session, async (c) => {
    const body = await optionalBody(c, HandoffSendBody)
    const { accountId, handoffId } = params(c)
    return c.json(await flow.send(c.get('session'), accountId, handoffId, body))
  })

  app.post('/accounts/:accountId/handoffs/:handoffId/accept', services.session, async (c) => {
    const { accountId, handoffId } = params(c)
    return c.json(await flow.accept(c.get('session'), accountId, handoffId))
  })

  app.post('/accounts/:accountId/handoffs/:handoffId/return', services.session, async (c) => {
    const body = await readJsonBody(c, HandoffReturnBody)
    const { accountId, handoffId } = params(c)
    return c.json(await flow.sendBack(c.get('session'), accountId, handoffId, body.comment))
  })

  return app
}
