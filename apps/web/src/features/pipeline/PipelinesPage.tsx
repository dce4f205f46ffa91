import { useDoc } from '../../collab/useDoc.ts'
import { useSession } from '../auth/SessionContext.tsx'
import { PipelineBoard } from './PipelineBoard.tsx'
import { useWorkspaceSettings } from './useWorkspaceSettings.ts'

/** Pipeline tabs (from the workspace settings document) and the board of the selected pipeline. */
export function PipelinesPage({ pipelineId }: { pipelineId: string | null }) {
  const { session } = useSession()
  const workspaceId = session.workspace.id
  const ws = useDoc({ workspaceId, kind: 'workspace' })
  const settings = useWorkspaceSettings(ws.ready ? ws.doc : null)

  if (ws.noAccess)
    return <div className="notice notice--error">You do not have access to this workspace.</div>
  if (!settings) return <div className="empty">Loading pipelines…</div>
  if (settings.pipelines.length === 0)
    return (
      <div className="empty">{ws.synced ? 'This workspace has no pipelines yet.' : 'Loading pipelines…'}</div>
    )

  const pipeline = settings.pipelines.find((p) => p.id === pipelineId) ?? settings.pipelines[0]
  if (!pipeline) return null
  return (
    <div className="pipelines">
      <div className="tabs" role="tablist">
        {settings.pipelines.map((p) => (
          <a
            key={p.id}
            role="tab"
            aria-selected={p.id === pipeline.id}
            className={`tab${p.id === pipeline.id ? ' is-active' : ''}`}
            href={`#/pipelines/${p.id}`}
            data-testid={`pipeline-tab-${p.id}`}
          >
            {p.name}
          </a>
        ))}
      </div>
      <PipelineBoard key={pipeline.id} workspaceId={workspaceId} pipeline={pipeline} />
    </div>
  )
}
