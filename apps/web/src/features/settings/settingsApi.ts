import { z } from 'zod'
import { request } from '../auth/authApi.ts'

const Removed = z.object({ movedDealIds: z.array(z.string()) })

/** REST calls of the settings pages (what needs the server: moving deals out of a removed stage). */
export const settingsApi = {
  /** Moves the stage's deals to `moveTo` on the pipeline document, then removes the stage (admin). */
  removeStage: (pipelineId: string, stageId: string, moveTo: string) =>
    request(
      `/api/settings/pipelines/${encodeURIComponent(pipelineId)}/stages/${encodeURIComponent(stageId)}?moveTo=${encodeURIComponent(moveTo)}`,
      Removed,
      { method: 'DELETE' },
    ),
}
