import { isModelError } from '@rapport/model'
import { useCallback, useState } from 'react'
import type * as Y from 'yjs'
import { SETTINGS_SECTIONS, type SettingsSection } from '../../app/route.ts'
import { useDoc } from '../../collab/useDoc.ts'
import { useSession } from '../auth/SessionContext.tsx'
import { DataPanel } from '../imports/DataPanel.tsx'
import { useWorkspaceSettings } from '../pipeline/useWorkspaceSettings.ts'
import { WorkspaceSettings } from '../workspace/WorkspaceSettings.tsx'
import { CurrencySettingsPanel } from './CurrencySettingsPanel.tsx'
import { CustomFieldSettings } from './CustomFieldSettings.tsx'
import { PipelineSettings } from './PipelineSettings.tsx'
import { SlaSettings } from './SlaSettings.tsx'
import './settings.css'

const LABELS: Record<SettingsSection, string> = {
  pipelines: 'Pipelines',
  fields: 'Custom fields',
  sla: 'Service levels',
  currency: 'Currency',
  workspace: 'Workspace',
}

/** Runs a model command on the workspace document; a refusal becomes a plain sentence (the form checks first). */
export type RunCommand = (command: (doc: Y.Doc) => void) => boolean

/**
 * Workspace settings, live: every change is a model command on `W/workspace`, so every open board and form follows at
 * once. Admins edit; everyone else sees the same pages read-only.
 */
export function SettingsPage({ section }: { section: SettingsSection }) {
  const { session } = useSession()
  const workspace = useDoc({ workspaceId: session.workspace.id, kind: 'workspace' })
  const settings = useWorkspaceSettings(workspace.ready ? workspace.doc : null)
  const readOnly = workspace.readOnly
  const [error, setError] = useState<string | null>(null)
  const doc = workspace.doc

  const run: RunCommand = useCallback(
    (command) => {
      if (!doc || readOnly) return false
      try {
        command(doc)
        setError(null)
        return true
      } catch (err) {
        setError(
          isModelError(err) && err.code === 'not_found'
            ? 'Someone removed what you were changing. Look again and retry.'
            : 'That change could not be saved. Check the values and try again.',
        )
        return false
      }
    },
    [doc, readOnly],
  )

  return (
    <div className="settings" data-testid="settings-page" data-section={section}>
      <header className="settings__header">
        <h1 className="page__title">Workspace settings</h1>
        {readOnly && (
          <span className="badge" data-testid="settings-read-only">
            Read only — only admins can change settings
          </span>
        )}
      </header>
      <nav className="settings__tabs" aria-label="Settings sections">
        {SETTINGS_SECTIONS.map((s) => (
          <a
            key={s}
            href={`#/settings/${s}`}
            className={`settings__tab${s === section ? ' is-active' : ''}`}
            aria-current={s === section ? 'page' : undefined}
            data-testid={`settings-tab-${s}`}
          >
            {LABELS[s]}
          </a>
        ))}
      </nav>
      {error && (
        <p className="notice notice--error" role="alert">
          {error}
        </p>
      )}
      {!settings ? (
        <div className="empty" aria-busy="true">
          Loading settings…
        </div>
      ) : section === 'pipelines' ? (
        <PipelineSettings settings={settings} readOnly={readOnly} run={run} />
      ) : section === 'fields' ? (
        <CustomFieldSettings settings={settings} readOnly={readOnly} run={run} />
      ) : section === 'sla' ? (
        <SlaSettings settings={settings} readOnly={readOnly} run={run} />
      ) : section === 'currency' ? (
        <CurrencySettingsPanel settings={settings} readOnly={readOnly} run={run} />
      ) : (
        <>
          <WorkspaceSettings
            name={settings.name || session.workspace.name}
            isAdmin={session.role === 'admin'}
          />
          <DataPanel isAdmin={session.role === 'admin'} />
        </>
      )}
    </div>
  )
}
