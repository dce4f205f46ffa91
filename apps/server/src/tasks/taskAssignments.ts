import { docName } from '@rapport/model'
import type { Automation } from '../automation/Automation.ts'
import { originActor } from '../collab/originActor.ts'
import type { Projection } from '../projection/Projection.ts'

/**
 * A task given to someone (created with an assignee, or its assignee changed) notifies that person in their inbox —
 * never the user who made the change about their own action. Reads the projection's record events, so client edits
 * and REST writes are treated alike; loads, repairs and seeding (no user behind them) notify nobody.
 */
export function notifyTaskAssignments(projection: Projection, automation: Automation): () => void {
  return projection.on((event) => {
    if (event.type !== 'record' || event.kind !== 'tasks' || !event.after) return
    const after = event.after
    const assignee = after.assigneeId
    if (typeof assignee !== 'string' || after.archived === true || after.done === true) return
    if (event.before?.assigneeId === assignee) return
    const actor = originActor(event.origin)
    if (!actor || actor.internal || actor.actorId === null || actor.actorId === assignee) return
    const { workspaceId } = event
    const accountId = String(after.accountId)
    automation.background(`inbox:${workspaceId}:${assignee}`, 'task assignment', async () =>
      automation.notify(workspaceId, assignee, {
        type: 'assignment',
        actorId: actor.actorId,
        text: `${actor.name} gave you the task “${String(after.title)}” on ${await automation.accountName(workspaceId, accountId)}`,
        link: { accountId, taskId: after.id, docName: docName({ workspaceId, kind: 'account', accountId }) },
      }),
    )
  })
}
