import { setSla, TICKET_PRIORITIES, type WorkspaceSettings } from '@rapport/model'
import { LOCAL_ORIGIN } from '../../collab/localOrigin.ts'
import { FieldError } from '../../ui/FieldError.tsx'
import { SaveActions } from './SaveActions.tsx'
import type { RunCommand } from './SettingsPage.tsx'
import { parseSlaForm, type SlaForm, slaToForm } from './settingsForms.ts'
import { useSettingsForm } from './useSettingsForm.ts'

const PRIORITY_LABEL = { low: 'Low', normal: 'Normal', high: 'High', urgent: 'Urgent' } as const

/** First-response and resolution targets per priority, in hours. A ticket's due time follows its priority. */
export function SlaSettings({
  settings,
  readOnly,
  run,
}: {
  settings: WorkspaceSettings
  readOnly: boolean
  run: RunCommand
}) {
  const { form, setForm, errors, saved, submit } = useSettingsForm(
    settings.sla,
    slaToForm,
    parseSlaForm,
    (value) => run((doc) => setSla(doc, value, LOCAL_ORIGIN)),
  )
  const cell = (priority: keyof SlaForm, key: 'firstResponse' | 'resolution', label: string) => {
    const error = errors[`${priority}.${key}`]
    return (
      <td>
        <label className="setting-input setting-input--bare">
          <span className="visually-hidden">{`${PRIORITY_LABEL[priority]}: ${label}`}</span>
          <span className="setting-input__row">
            <input
              type="number"
              inputMode="decimal"
              step="any"
              min="0"
              readOnly={readOnly}
              value={form[priority][key]}
              aria-invalid={error ? true : undefined}
              data-testid={`sla-${priority}-${key}`}
              onChange={(e) => setForm({ ...form, [priority]: { ...form[priority], [key]: e.target.value } })}
            />
            <span className="setting-input__suffix">h</span>
          </span>
          <FieldError message={error} />
        </label>
      </td>
    )
  }
  return (
    <form className="panel" onSubmit={submit} aria-label="Service levels" data-testid="sla-settings">
      <h2 className="panel__title">Service levels per priority</h2>
      <p className="muted">
        A ticket is due its first response, then its resolution, this many hours after it opens.
      </p>
      <div className="settings__table-wrap">
        <table className="settings__table">
          <thead>
            <tr>
              <th>Priority</th>
              <th>First response</th>
              <th>Resolution</th>
            </tr>
          </thead>
          <tbody>
            {TICKET_PRIORITIES.map((p) => (
              <tr key={p}>
                <th scope="row">{PRIORITY_LABEL[p]}</th>
                {cell(p, 'firstResponse', 'first response (hours)')}
                {cell(p, 'resolution', 'resolution (hours)')}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <SaveActions label="Save service levels" testId="save-sla" saved={saved} readOnly={readOnly} />
    </form>
  )
}
