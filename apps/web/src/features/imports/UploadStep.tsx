import { type DragEvent, useId, useState } from 'react'

export interface UploadStepProps {
  noun: string
  busy: boolean
  error: string | null
  onFile: (file: File) => void
}

/** Step 1: choose a CSV file or drop it on the zone. */
export function UploadStep({ noun, busy, error, onFile }: UploadStepProps) {
  const inputId = useId()
  const [over, setOver] = useState(false)
  const onDrop = (e: DragEvent) => {
    e.preventDefault()
    setOver(false)
    const file = e.dataTransfer.files[0]
    if (file && !busy) onFile(file)
  }
  return (
    <section className="panel import-step" data-testid="import-upload">
      <h2 className="panel__title">1. Choose a CSV file</h2>
      <label
        htmlFor={inputId}
        className={`import-drop${over ? ' is-over' : ''}`}
        onDragOver={(e) => {
          e.preventDefault()
          setOver(true)
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
        data-testid="import-drop"
      >
        <strong>{busy ? 'Uploading…' : `Drop a CSV file of ${noun} here`}</strong>
        <span className="muted">
          or click to choose one. Comma or semicolon separated, UTF-8, first line = column names.
        </span>
        <input
          id={inputId}
          type="file"
          accept=".csv,text/csv"
          className="import-drop__input"
          disabled={busy}
          onChange={(e) => {
            const file = e.target.files?.[0]
            if (file) onFile(file)
            e.target.value = ''
          }}
          data-testid="import-file"
        />
      </label>
      {error && (
        <p className="notice notice--error" role="alert" data-testid="import-upload-error">
          {error}
        </p>
      )}
    </section>
  )
}
