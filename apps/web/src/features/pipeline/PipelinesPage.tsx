import { useDoc } from '../../collab/useDoc.ts'
import { useSession } from '../auth/SessionContext.tsx'
import { BoardPreview } from './BoardPreview.tsx'
import { PipelineBoard } from './PipelineBoard.tsx'
import { useBoardSnapshot } from './useBoardSnapshot.ts'
import { useWorkspaceSettings } from './useWorkspaceSettings.ts'

/** Pipeline tabs (from the workspace settings document) and the board of the selected pipeline. */
export function PipelinesPage({ pipelineId }: { pipelineId: string | null }) {
  const { session } = useSession()
  const workspaceId = session.workspace.id
  const ws = useDoc({ workspaceId, kind: 'workspace' })
  const settings = useWorkspaceSettings(ws.ready ? ws.doc : null)
  // An empty offline copy is not an answer: the pipelines are known once they are there or the server has synced.
  const known = settings && (settings.pipelines.length > 0 || ws.synced) ? settings : null
  // Meanwhile the board of a linked pipeline paints from the server's snapshot.
  const snapshot = useBoardSnapshot(pipelineId, known === null)

  if (ws.noAccess)
    return <div className="notice notice--error">You do not have access to this workspace.</div>
  if (!known)
    return snapshot ? <BoardPreview snapshot={snapshot} /> : <div className="empty">Loading pipelines…</div>
  if (known.pipelines.length === 0) return <div className="empty">This workspace has no pipelines yet.</div>

  // An archived pipeline has no tab (Settings → Pipelines restores it); a link straight to it still opens its board.
  const shown = known.pipelines.filter((p) => !p.archived || p.id === pipelineId)
  const pipeline = known.pipelines.find((p) => p.id === pipelineId) ?? shown[0] ?? known.pipelines[0]
  if (!pipeline) return null
  return (
    <div className="pipelines">
      <div className="tabs" role="tablist">
        {shown.map((p) => (
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
