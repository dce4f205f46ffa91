import { parseDocName, readSettings, settingsMap, type WorkspaceSettings } from '@rapport/model'
import type * as Y from 'yjs'
import type { Logger } from '../log/logger.ts'

export type SettingsListener = (
  workspaceId: string,
  before: WorkspaceSettings,
  after: WorkspaceSettings,
) => void

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
  private readonly listeners = new Set<SettingsListener>()

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
    this.settings.set(ref.workspaceId, readSettings(doc))
    const refresh = () => {
      const before = this.settings.get(ref.workspaceId)
      const after = readSettings(doc)
      this.settings.set(ref.workspaceId, after)
      if (before) for (const listener of this.listeners) listener(ref.workspaceId, before, after)
    }
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

  /** Calls `listener` after every change of a loaded workspace's settings, with the settings before and after. */
  onSettingsChange(listener: SettingsListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
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
