import {
  type ColumnMapping,
  DUPLICATE_POLICIES,
  type DuplicatePolicy,
  type DuplicateSettings,
  type ImportField,
  type ImportKind,
  type MatchOn,
  type PreviewRow,
  type UploadedImport,
} from './importApi.ts'
import { cellText, errorsByField, matchOptions, previewSummary } from './importWizard.ts'

const SKIP = '__skip__'

const POLICY_WORDS: Record<DuplicatePolicy, string> = {
  skip: 'Skip the row',
  update: 'Update the existing record',
  create: 'Create a new record anyway',
}

export interface MappingStepProps {
  kind: ImportKind
  upload: UploadedImport
  fields: readonly ImportField[]
  mapping: ColumnMapping
  onMap: (column: string, field: string | null) => void
  duplicates: DuplicateSettings
  onDuplicates: (next: DuplicateSettings) => void
  preview: readonly PreviewRow[] | null
  previewError: string | null
  problems: readonly string[]
  starting: boolean
  onStart: () => void
}

/** Step 2 and 3: the column mapping, the duplicate policy, the preview of the first rows and the start button. */
export function MappingStep(props: MappingStepProps) {
  const { kind, upload, fields, mapping, onMap, duplicates, onDuplicates, preview, problems } = props
  const mappedFields = fields.filter((f) => Object.values(mapping).includes(f.key))
  const summary = preview ? previewSummary(preview) : null
  return (
    <>
      <section className="panel import-step" data-testid="import-mapping">
        <h2 className="panel__title">2. Match the columns to fields</h2>
        <p className="muted">
          {upload.fileName} · {upload.columns.length} columns
          {upload.rowCount !== null && ` · ${upload.rowCount.toLocaleString('en')} rows`} · separated by “
          {upload.separator}”
        </p>
        <div className="import-map">
          <div className="import-map__head" aria-hidden="true">
            <span>Column in the file</span>
            <span>First values</span>
            <span>Field in Rapport</span>
          </div>
          {upload.columns.map((column) => (
            <div className="import-map__row" key={column} data-testid={`map-row-${column}`}>
              <span className="import-map__column">{column}</span>
              <span className="import-map__sample muted">
                {upload.sample
                  .slice(0, 3)
                  .map((r) => r[column] ?? '')
                  .filter((v) => v !== '')
                  .join(' · ') || '—'}
              </span>
              <select
                aria-label={`Field for column ${column}`}
                value={mapping[column] ?? SKIP}
                onChange={(e) => onMap(column, e.target.value === SKIP ? null : e.target.value)}
                data-testid={`map-${column}`}
              >
                <option value={SKIP}>Skip this column</option>
                {fields.map((f) => (
                  <option key={f.key} value={f.key}>
                    {f.label}
                    {f.required ? ' (required)' : ''}
                  </option>
                ))}
              </select>
            </div>
          ))}
        </div>
      </section>

      <section className="panel import-step" data-testid="import-duplicates">
        <h2 className="panel__title">3. Rows that match an existing record</h2>
        <div className="import-dupes">
          <label>
            When a row matches
            <select
              value={duplicates.policy}
              onChange={(e) => onDuplicates({ ...duplicates, policy: e.target.value as DuplicatePolicy })}
              data-testid="dupe-policy"
            >
              {DUPLICATE_POLICIES.map((p) => (
                <option key={p} value={p}>
                  {POLICY_WORDS[p]}
                </option>
              ))}
            </select>
          </label>
          <label>
            Match on
            <select
              value={duplicates.matchOn}
              onChange={(e) => onDuplicates({ ...duplicates, matchOn: e.target.value as MatchOn })}
              data-testid="dupe-match"
            >
              {matchOptions(kind).map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </select>
          </label>
          {duplicates.matchOn === 'column' && (
            <label>
              Field
              <select
                value={duplicates.column ?? ''}
                onChange={(e) => onDuplicates({ ...duplicates, column: e.target.value || undefined })}
                data-testid="dupe-column"
              >
                <option value="">Choose a field…</option>
                {mappedFields.map((f) => (
                  <option key={f.key} value={f.key}>
                    {f.label}
                  </option>
                ))}
              </select>
            </label>
          )}
        </div>
      </section>

      <section className="panel import-step" data-testid="import-preview">
        <h2 className="panel__title">4. Preview of the first rows</h2>
        {props.previewError && (
          <p className="notice notice--error" role="alert" data-testid="preview-error">
            {props.previewError}
          </p>
        )}
        {summary && (
          <p className="muted" data-testid="preview-summary">
            {summary.invalid === 0 ? 'No errors' : `${summary.invalid} with errors`} ·{' '}
            {summary.duplicates === 0 ? 'no duplicates' : `${summary.duplicates} duplicates`} in the first{' '}
            {preview?.length} rows
          </p>
        )}
        {preview === null ? (
          <div className="empty">Loading the preview…</div>
        ) : (
          <PreviewTable rows={preview} fields={mappedFields} mapping={mapping} />
        )}
      </section>

      <div className="import-start">
        {problems.length > 0 && (
          <ul className="notice notice--warn import-problems" data-testid="import-problems">
            {problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        )}
        <button
          type="button"
          className="btn btn--primary"
          disabled={problems.length > 0 || props.starting}
          onClick={props.onStart}
          data-testid="import-start"
        >
          {props.starting ? 'Starting…' : 'Start the import'}
        </button>
      </div>
    </>
  )
}

function PreviewTable(props: {
  rows: readonly PreviewRow[]
  fields: readonly ImportField[]
  mapping: ColumnMapping
}) {
  const { rows, fields, mapping } = props
  return (
    <div className="import-preview">
      <table className="import-preview__table">
        <thead>
          <tr>
            <th scope="col">Row</th>
            {fields.map((f) => (
              <th scope="col" key={f.key}>
                {f.label}
              </th>
            ))}
            <th scope="col">Notes</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const errors = errorsByField(row, mapping)
            const rowErrors = errors.get('') ?? []
            return (
              <tr
                key={row.row}
                className={
                  row.errors.length > 0 ? 'is-invalid' : row.duplicateOf ? 'is-duplicate' : undefined
                }
                data-testid={`preview-row-${row.row}`}
              >
                <td className="muted">{row.row}</td>
                {fields.map((f) => {
                  const messages = errors.get(f.key)
                  return (
                    <td key={f.key} data-testid={`preview-${row.row}-${f.key}`}>
                      <span className="import-preview__value">{cellText(row.values[f.key])}</span>
                      {messages?.map((m) => (
                        <span key={m} className="import-preview__error" data-testid="preview-cell-error">
                          {m}
                        </span>
                      ))}
                    </td>
                  )
                })}
                <td data-testid={`preview-${row.row}-notes`}>
                  {row.duplicateOf && (
                    <span className="chip import-preview__dupe" data-testid="preview-duplicate">
                      Duplicate of <strong>{row.duplicateOf.label}</strong>
                    </span>
                  )}
                  {rowErrors.map((m) => (
                    <span key={m} className="import-preview__error">
                      {m}
                    </span>
                  ))}
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
    </div>
  )
}
