import { parseDocName, readSettings, settingsMap, type WorkspaceSettings } from '@rapport/model'
import type * as Y from 'yjs'
import type { Logger } from '../log/logger.ts'

/**
 * What the validation extension's settings rules need to know: the loaded record documents, and each workspace's
 * settings read from its `W/workspace` (kept after that document unloads: it cannot change until it loads again).
 * `load` loads a workspace document that was not loaded since the server started (a direct connection, which calls
 * `loaded`).
 */
export class LoadedDocs {
  private readonly docs = new Map<string, Y.Doc>()
  private readonly settings = new Map<string, WorkspaceSettings>()
  private readonly unsubscribe = new Map<string, () => void>()
  private readonly loading = new Map<string, Promise<void>>()

  constructor(
    private readonly logger: Logger,
    private readonly loadWorkspace: (workspaceId: string) => Promise<void>,
  ) {}

  loaded(docName: string, doc: Y.Doc): void {
    const ref = parseDocName(docName)
    if (!ref) return
    if (ref.kind !== 'workspace') {
      this.docs.set(docName, doc)
      return
    }
    const refresh = () => this.settings.set(ref.workspaceId, readSettings(doc))
    refresh()
    const map = settingsMap(doc)
    map.observeDeep(refresh)
    this.unsubscribe.get(docName)?.()
    this.unsubscribe.set(docName, () => map.unobserveDeep(refresh))
  }

  unloaded(docName: string): void {
    this.docs.delete(docName)
    this.unsubscribe.get(docName)?.()
    this.unsubscribe.delete(docName)
  }

  doc(docName: string): Y.Doc | undefined {
    return this.docs.get(docName)
  }

  settingsOf(workspaceId: string): WorkspaceSettings | undefined {
    return this.settings.get(workspaceId)
  }

  /** Loads the workspace's settings if unknown; resolves when known (or the load failed, logged). */
  load(workspaceId: string): Promise<void> {
    let pending = this.loading.get(workspaceId)
    if (!pending) {
      pending = this.loadWorkspace(workspaceId).catch((error: unknown) => {
        this.logger.error('could not load the workspace settings', { workspaceId, error })
      })
      this.loading.set(workspaceId, pending)
      void pending.finally(() => this.loading.delete(workspaceId))
    }
    return pending
  }
}
