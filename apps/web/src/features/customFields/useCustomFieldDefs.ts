import type { CustomFieldDef, CustomFieldEntity, WorkspaceSettings } from '@rapport/model'
import { useMemo } from 'react'
import { useDoc } from '../../collab/useDoc.ts'
import { useSession } from '../auth/SessionContext.tsx'
import { useWorkspaceSettings } from '../pipeline/useWorkspaceSettings.ts'

/** The workspace settings, live (`null` until the workspace document is here). */
export function useLiveSettings(): WorkspaceSettings | null {
  const { session } = useSession()
  const workspace = useDoc({ workspaceId: session.workspace.id, kind: 'workspace' })
  return useWorkspaceSettings(workspace.ready ? workspace.doc : null)
}

/** The custom-field definitions of one record kind, live, in definition order. */
export function useCustomFieldDefs(kind: CustomFieldEntity): {
  defs: CustomFieldDef[]
  settings: WorkspaceSettings | null
} {
  const settings = useLiveSettings()
  const defs = useMemo(() => settings?.customFields.filter((d) => d.entity === kind) ?? [], [settings, kind])
  return { defs, settings }
}
