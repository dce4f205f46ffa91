import type { SlaPolicy, Ticket } from '@rapport/model'

export type SlaLevel = 'ok' | 'warning' | 'breached' | 'met' | 'none'

export interface SlaState {
  level: SlaLevel
  /** What the badge says: "due in 3h", "breached 20m ago", "met". */
  label: string
  /** The due time being measured (first response while `new`, else resolution), or null. */
  dueAt: number | null
}

/** Share of the SLA window left below which a ticket warns before its due time. */
export const WARN_FRACTION = 0.25

export function formatSpan(ms: number): string {
  const mins = Math.max(1, Math.round(Math.abs(ms) / 60_000))
  if (mins < 120) return `${mins}m`
  const hours = Math.round(mins / 60)
  if (hours < 48) return `${hours}h`
  return `${Math.round(hours / 24)}d`
}

/**
 * The SLA state of a ticket at `now`: while it is `new`, the first-response due time (creation + policy);
 * after that, the resolution due time (`slaDueAt`, or creation + policy). Warns in the last 25% of the window.
 */
export function slaState(ticket: Ticket, policy: SlaPolicy, now: number): SlaState {
  if (ticket.position.column === 'resolved') {
    const met = ticket.slaDueAt === null || (ticket.resolvedAt ?? now) <= ticket.slaDueAt
    return {
      level: met ? 'met' : 'breached',
      label: met ? 'SLA met' : 'resolved late',
      dueAt: ticket.slaDueAt,
    }
  }
  const target = policy[ticket.priority]
  const responding = ticket.firstResponseAt === null
  const windowMs = (responding ? target.firstResponseMins : target.resolutionMins) * 60_000
  const dueAt = responding ? ticket.createdAt + windowMs : (ticket.slaDueAt ?? ticket.createdAt + windowMs)
  const what = responding ? 'response' : 'resolution'
  const left = dueAt - now
  if (left < 0) return { level: 'breached', label: `${what} breached ${formatSpan(left)} ago`, dueAt }
  const level: SlaLevel = left <= windowMs * WARN_FRACTION ? 'warning' : 'ok'
  return { level, label: `${what} due in ${formatSpan(left)}`, dueAt }
}
