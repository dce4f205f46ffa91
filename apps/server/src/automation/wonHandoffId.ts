import { createHash } from 'node:crypto'
import { ID_PATTERN } from '@rapport/model'

const PREFIX = 'hof_won_'

/**
 * The id of the handoff a won deal creates: derived from the deal id, so every attempt (two users moving the
 * deal to Won at once, Won → Open → Won, a retry after a crash) names the same handoff and "create if absent"
 * makes it exactly once. Deal ids too long for the id rules are hashed.
 */
export function wonHandoffId(dealId: string): string {
  const direct = `${PREFIX}${dealId}`
  if (ID_PATTERN.test(direct)) return direct
  return `${PREFIX}${createHash('sha256').update(dealId).digest('hex').slice(0, 40)}`
}
