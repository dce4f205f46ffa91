import { ID_PATTERN } from './ids.ts'

/**
 * The one module that builds and parses Yjs document names. Nothing else in the codebase may split a
 * document name by hand.
 *
 * | name                | kind       | holds                                                          |
 * | ------------------- | ---------- | -------------------------------------------------------------- |
 * | `W/workspace`       | workspace  | settings: pipelines + stages, teams, custom fields             |
 * | `W/accounts`        | accounts   | account records                                                |
 * | `W/contacts`        | contacts   | retired: contacts moved to `W/contact/C` (issue #12)           |
 * | `W/pipeline/P`      | pipeline   | the deals of pipeline P                                        |
 * | `W/support`         | support    | tickets                                                        |
 * | `W/account/A`       | account    | the account room: notes, timeline, tasks, handoffs             |
 * | `W/inbox/U`         | inbox      | user U's notifications                                         |
 * | `W/contact/C`       | contact    | contact C alone (issue #12)                                    |
 * | `W/deal/D`          | deal       | deal D alone (issue #12, reserved: not used yet)               |
 * | `W/ticket/T`        | ticket     | ticket T and its messages (issue #12, reserved: not used yet)  |
 * | `W/board/P`         | board      | pipeline P's board entries, server-written (issue #12)         |
 * | `W/queue`           | queue      | the support board entries, server-written (issue #12, reserved)|
 * | `W/feed`            | feed       | no content: carries the change feed (issue #12, reserved)      |
 */
export const DOC_KINDS = [
  'workspace',
  'accounts',
  'contacts',
  'pipeline',
  'support',
  'account',
  'inbox',
  'contact',
  'deal',
  'ticket',
  'board',
  'queue',
  'feed',
] as const
export type DocKind = (typeof DOC_KINDS)[number]

export type DocRef =
  | { workspaceId: string; kind: 'workspace' }
  | { workspaceId: string; kind: 'accounts' }
  | { workspaceId: string; kind: 'contacts' }
  | { workspaceId: string; kind: 'support' }
  | { workspaceId: string; kind: 'queue' }
  | { workspaceId: string; kind: 'feed' }
  | { workspaceId: string; kind: 'pipeline'; pipelineId: string }
  | { workspaceId: string; kind: 'board'; pipelineId: string }
  | { workspaceId: string; kind: 'account'; accountId: string }
  | { workspaceId: string; kind: 'contact'; contactId: string }
  | { workspaceId: string; kind: 'deal'; dealId: string }
  | { workspaceId: string; kind: 'ticket'; ticketId: string }
  | { workspaceId: string; kind: 'inbox'; userId: string }

function assertId(value: string, what: string): void {
  if (!ID_PATTERN.test(value)) throw new Error(`invalid ${what} in document name: ${JSON.stringify(value)}`)
}

/** The id a reference's name ends with, or null for the kinds named `W/<kind>`. */
export function docRefId(ref: DocRef): string | null {
  switch (ref.kind) {
    case 'workspace':
    case 'accounts':
    case 'contacts':
    case 'support':
    case 'queue':
    case 'feed':
      return null
    case 'pipeline':
    case 'board':
      return ref.pipelineId
    case 'account':
      return ref.accountId
    case 'contact':
      return ref.contactId
    case 'deal':
      return ref.dealId
    case 'ticket':
      return ref.ticketId
    case 'inbox':
      return ref.userId
  }
}

/** Builds the document name for a reference. Throws on ids that would not round-trip. */
export function docName(ref: DocRef): string {
  assertId(ref.workspaceId, 'workspace id')
  const id = docRefId(ref)
  if (id === null) return `${ref.workspaceId}/${ref.kind}`
  assertId(id, `${ref.kind} id`)
  return `${ref.workspaceId}/${ref.kind}/${id}`
}

/** Parses a document name; returns `null` for anything that is not exactly a name `docName` builds. */
export function parseDocName(name: string): DocRef | null {
  if (name.length > 200) return null
  const parts = name.split('/')
  const [workspaceId, kind, sub] = parts
  if (workspaceId === undefined || kind === undefined || !ID_PATTERN.test(workspaceId)) return null
  if (parts.length === 2) {
    switch (kind) {
      case 'workspace':
      case 'accounts':
      case 'contacts':
      case 'support':
      case 'queue':
      case 'feed':
        return { workspaceId, kind }
      default:
        return null
    }
  }
  if (parts.length !== 3 || sub === undefined || !ID_PATTERN.test(sub)) return null
  switch (kind) {
    case 'pipeline':
      return { workspaceId, kind, pipelineId: sub }
    case 'board':
      return { workspaceId, kind, pipelineId: sub }
    case 'account':
      return { workspaceId, kind, accountId: sub }
    case 'contact':
      return { workspaceId, kind, contactId: sub }
    case 'deal':
      return { workspaceId, kind, dealId: sub }
    case 'ticket':
      return { workspaceId, kind, ticketId: sub }
    case 'inbox':
      return { workspaceId, kind, userId: sub }
    default:
      return null
  }
}
