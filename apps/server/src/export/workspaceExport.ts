import type { Hocuspocus } from '@hocuspocus/server'
import { collectionMap, NOTES_FIELD, readRecords, TIMELINE } from '@rapport/model'
import { Zip, ZipDeflate } from 'fflate'
import type { SessionInfo } from '../auth/sessionInfo.ts'
import type { MemberView } from '../meta/members.ts'
import { notesFieldText } from '../notes/roomNotes.ts'
import type { RecordIndex } from '../recordIndex/RecordIndex.ts'
import { readWorkspaceSettings } from '../settings/SettingsService.ts'
import { csvLayout, EXPORT_KINDS } from './csvRows.ts'
import { csvChunks, listRecords } from './listExport.ts'
import { readDocument } from './readDoc.ts'

export interface WorkspaceExportDeps {
  index: RecordIndex
  hocuspocus: Hocuspocus
  members: (session: SessionInfo) => MemberView[]
}

const encoder = new TextEncoder()

/**
 * The whole workspace as zip chunks (fflate, deflate level 6), produced as the reader pulls them: one index page or
 * one account room at a time is in memory, never the archive.
 *   workspace.json — `{ format: 1, workspace: { id, name }, exportedAt, settings, members: [{ userId, name, email,
 *                    role, team }], records: { accounts, contacts, deals, tickets, tasks } }` (every record, archived
 *                    ones too, as the REST API gives them);
 *   timeline.json  — `{ [accountId]: Activity[] }` (each account room's timeline, oldest first);
 *   notes/<accountId>.txt — the plain text of an account's notes (accounts with notes only);
 *   <kind>.csv     — per kind the CSV of `GET /api/<kind>/export.csv?archived=all`.
 * Members carry no password, session or token.
 */
export async function* workspaceZip(
  deps: WorkspaceExportDeps,
  session: SessionInfo,
): AsyncGenerator<Uint8Array> {
  const ws = session.workspaceId
  const out: Uint8Array[] = []
  let failed: Error | null = null
  const zip = new Zip((error, chunk) => {
    if (error) failed = error
    else out.push(chunk)
  })
  const drain = function* () {
    if (failed) throw failed
    while (out.length > 0) yield out.shift() as Uint8Array
  }
  const file = (name: string) => {
    const entry = new ZipDeflate(name, { level: 6 })
    zip.add(entry)
    return entry
  }
  const settings = await readWorkspaceSettings(deps.hocuspocus, ws)

  const json = file('workspace.json')
  const members = deps
    .members(session)
    .map(({ userId, name, email, role, team }) => ({ userId, name, email, role, team }))
  json.push(
    encoder.encode(
      `{"format":1,"workspace":${JSON.stringify({ id: ws, name: settings.name })},"exportedAt":${JSON.stringify(
        new Date().toISOString(),
      )},"settings":${JSON.stringify(settings)},"members":${JSON.stringify(members)},"records":{`,
    ),
  )
  yield* drain()
  for (const [k, kind] of EXPORT_KINDS.entries()) {
    json.push(encoder.encode(`${k > 0 ? ',' : ''}${JSON.stringify(kind)}:[`))
    let first = true
    for await (const page of listRecords(deps.index, ws, kind, { archived: 'all' })) {
      if (page.length === 0) continue
      json.push(encoder.encode(`${first ? '' : ','}${page.map((r) => JSON.stringify(r)).join(',')}`))
      first = false
      yield* drain()
    }
    json.push(encoder.encode(']'))
  }
  json.push(encoder.encode('}}\n'), true)
  yield* drain()

  // Account rooms, read one at a time: first every timeline into timeline.json, then the notes files (an entry of a
  // zip is written whole before the next, so a notes file added while timeline.json is open would wait in memory).
  const rooms = async function* () {
    for await (const page of listRecords(deps.index, ws, 'accounts', { archived: 'all' }))
      for (const account of page) yield account.id
  }
  const timeline = file('timeline.json')
  timeline.push(encoder.encode('{'))
  let firstRoom = true
  for await (const accountId of rooms()) {
    const entries = await readDocument(
      deps.hocuspocus,
      { workspaceId: ws, kind: 'account', accountId },
      (doc) =>
        readRecords(collectionMap(doc, TIMELINE), TIMELINE.schema).records.sort(
          (a, b) => a.at - b.at || (a.id < b.id ? -1 : 1),
        ),
    )
    timeline.push(
      encoder.encode(`${firstRoom ? '' : ','}${JSON.stringify(accountId)}:${JSON.stringify(entries)}`),
    )
    firstRoom = false
    yield* drain()
  }
  timeline.push(encoder.encode('}\n'), true)
  yield* drain()
  for await (const accountId of rooms()) {
    const notes = await readDocument(
      deps.hocuspocus,
      { workspaceId: ws, kind: 'account', accountId },
      (doc) => notesFieldText(doc, NOTES_FIELD),
    )
    if (notes.trim() === '') continue
    file(`notes/${accountId}.txt`).push(encoder.encode(notes), true)
    yield* drain()
  }

  for (const kind of EXPORT_KINDS) {
    const csv = file(`${kind}.csv`)
    const layout = csvLayout(kind, settings.customFields)
    for await (const text of csvChunks(
      deps.index,
      session,
      kind,
      layout,
      listRecords(deps.index, ws, kind, { archived: 'all' }),
    )) {
      csv.push(encoder.encode(text))
      yield* drain()
    }
    csv.push(new Uint8Array(0), true)
    yield* drain()
  }
  zip.end()
  yield* drain()
}
