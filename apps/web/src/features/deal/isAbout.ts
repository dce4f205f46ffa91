import type { Activity } from '@rapport/model'

/**
 * Whether a timeline entry is about a deal or contact: the entry's subject is that record, or it is a logged call,
 * email or meeting whose details name it (`details.dealId`, `details.contactIds`).
 */
export function isAbout(activity: Activity, subject: Activity['subject']): boolean {
  if (activity.subject.kind === subject.kind && activity.subject.id === subject.id) return true
  if (subject.kind === 'deal') return activity.details?.dealId === subject.id
  if (subject.kind === 'contact') return activity.details?.contactIds.includes(subject.id) ?? false
  return false
}
