import type { Hocuspocus } from '@hocuspocus/server'
import { docName, readSettings, type SlaPolicy } from '@rapport/model'

/** The workspace's SLA policy (model default when unset), read from the server's copy of `W/workspace`. */
export async function workspaceSla(hocuspocus: Hocuspocus, workspaceId: string): Promise<SlaPolicy> {
  const name = docName({ workspaceId, kind: 'workspace' })
  const connection = await hocuspocus.openDirectConnection(name, { system: true })
  try {
    if (!connection.document) throw new Error(`workspace document ${name} did not load`)
    return readSettings(connection.document).sla
  } finally {
    await connection.disconnect()
  }
}
