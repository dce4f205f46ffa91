import { Activity, COLLECTION, Handoff, isLoggedActivity, type RecordMap, readRecords } from '@rapport/model'
import type * as Y from 'yjs'
import type { RoomFactsChange } from './RecordIndex.ts'

/*
 * The report facts of an account room `W/account/A` (issue #13): its handoffs (map `handoffs`) and its logged calls,
 * emails and meetings (map `timeline`), each entry read with its schema; invalid and archived entries are left out,
 * as every reader leaves them out.
 */
export function roomFactsOf(workspaceId: string, accountId: string, doc: Y.Doc): RoomFactsChange {
  const handoffs: RoomFactsChange['handoffs'] = []
  for (const h of readRecords(doc.getMap(COLLECTION.handoffs) as RecordMap, Handoff).records) {
    if (h.archived) continue
    handoffs.push({
      id: h.id,
      dealId: h.dealId,
      status: h.status,
      fromUserId: h.fromUserId,
      toUserId: h.toUserId,
      createdAt: h.createdAt,
      sentAt: h.sentAt,
      acceptedAt: h.acceptedAt,
    })
  }
  const activities: RoomFactsChange['activities'] = []
  for (const a of readRecords(doc.getMap(COLLECTION.timeline) as RecordMap, Activity).records) {
    if (a.archived || !isLoggedActivity(a)) continue
    activities.push({
      id: a.id,
      type: a.type as 'call' | 'email' | 'meeting',
      at: a.at,
      actorId: a.actorId,
      dealId: a.details?.dealId ?? (a.subject.kind === 'deal' ? a.subject.id : null),
    })
  }
  return { workspaceId, accountId, handoffs, activities }
}
