import { ID_PATTERN } from './ids.ts'

/**
 * The one module that builds and parses Yjs document names. Nothing else in the codebase may split a
 * document name by hand.
 *
 * | name                | kind       | holds                                              |
 * | ------------------- | ---------- | -------------------------------------------------- |
 * | `W/workspace`       | workspace  | settings: pipelines + stages, teams, custom fields |
 * | `W/accounts`        | accounts   | account records                                    |
 * | `W/contacts`        | contacts   | contact records                                    |
 * | `W/pipeline/P`      | pipeline   | the deals of pipeline P                            |
 * | `W/support`         | support    | tickets                                            |
 * | `W/account/A`       | account    | the account room: notes, timeline, tasks, handoffs |
 * | `W/inbox/U`         | inbox      | user U's notifications                             |
 */
export const DOC_KINDS = [
  'workspace',
  'accounts',
  'contacts',
  'pipeline',
  'support',
  'account',
  'inbox',
] as const
export type DocKind = (typeof DOC_KINDS)[number]

export type DocRef =
  | { workspaceId: string; kind: 'workspace' }
  | { workspaceId: string; kind: 'accounts' }
  | { workspaceId: string; kind: 'contacts' }
  | { workspaceId: string; kind: 'support' }
  | { workspaceId: string; kind: 'pipeline'; pipelineId: string }
  | { workspaceId: string; kind: 'account'; accountId: string }
  | { workspaceId: string; kind: 'inbox'; userId: string }

function assertId(value: string, what: string): void {
  if (!ID_PATTERN.test(value)) throw new Error(`invalid ${what} in document name: ${JSON.stringify(value)}`)
}

/** Builds the document name for a reference. Throws on ids that would not round-trip. */
export function docName(ref: DocRef): string {
  assertId(ref.workspaceId, 'workspace id')
  switch (ref.kind) {
    case 'workspace':
    case 'accounts':
    case 'contacts':
    case 'support':
      return `${ref.workspaceId}/${ref.kind}`
    case 'pipeline':
      assertId(ref.pipelineId, 'pipeline id')
      return `${ref.workspaceId}/pipeline/${ref.pipelineId}`
    case 'account':
      assertId(ref.accountId, 'account id')
      return `${ref.workspaceId}/account/${ref.accountId}`
    case 'inbox':
      assertId(ref.userId, 'user id')
      return `${ref.workspaceId}/inbox/${ref.userId}`
  }
}

/** Parses a document name; returns `null` for anything that is not exactly a name `docName` builds. */
export function parseDocName(name: string): DocRef | null {
  if (name.length > 200) return null
  const parts = name.split('/')
  const [workspaceId, kind, sub] = parts
  if (workspaceId === undefined || kind === undefined || !ID_PATTERN.test(workspaceId)) return null
  if (parts.length === 2) {
    if (kind === 'workspace' || kind === 'accounts' || kind === 'contacts' || kind === 'support') {
      return { workspaceId, kind }
    }
    return null
  }
  if (parts.length !== 3 || sub === undefined || !ID_PATTERN.test(sub)) return null
  if (kind === 'pipeline') return { workspaceId, kind, pipelineId: sub }
  if (kind === 'account') return { workspaceId, kind, accountId: sub }
  if (kind === 'inbox') return { workspaceId, kind, userId: sub }
  return null
}
