import { accessFor, type DocKind } from '@rapport/model'
import { useEffect, useMemo, useState } from 'react'
import { useCollab } from '../../collab/CollabContext.tsx'
import { ImportProgress } from './ImportProgress.tsx'
import {
  type ColumnMapping,
  type DuplicateSettings,
  type ImportField,
  type ImportKind,
  importApi,
  type PreviewRow,
  type UploadedImport,
} from './importApi.ts'
import { defaultDuplicates, initialMapping, mapColumn, mappingProblems } from './importWizard.ts'
import { MappingStep } from './MappingStep.tsx'
import { UploadStep } from './UploadStep.tsx'
import { errorText, useImportJob } from './useImportJob.ts'
import './imports.css'

/** One preview request per pause in the user's corrections. */
const PREVIEW_DELAY_MS = 250

/** The document kind whose write access lets a role create records of this kind (packages/model/src/policy.ts). */
const DOC_KIND: Record<ImportKind, DocKind> = {
  accounts: 'accounts',
  contacts: 'contacts',
  deals: 'deal',
  tickets: 'ticket',
}

const NOUNS: Record<ImportKind, string> = {
  accounts: 'accounts',
  contacts: 'contacts',
  deals: 'deals',
  tickets: 'tickets',
}

/**
 * The import wizard (`#/import/<kind>`): upload a CSV, correct the suggested column mapping, choose what happens to
 * rows that match an existing record, check the preview of the first rows, then start the server-side job and watch
 * its progress; the result offers the failed rows as CSV.
 */
export function ImportPage({ kind }: { kind: ImportKind }) {
  const { member } = useCollab()
  const mayImport = accessFor(member.role, DOC_KIND[kind]) === 'write'
  const [fields, setFields] = useState<ImportField[] | null>(null)
  const [upload, setUpload] = useState<UploadedImport | null>(null)
  const [uploading, setUploading] = useState(false)
  const [uploadError, setUploadError] = useState<string | null>(null)
  const [mapping, setMapping] = useState<ColumnMapping>({})
  const [duplicates, setDuplicates] = useState<DuplicateSettings>(() => defaultDuplicates(kind))
  const [preview, setPreview] = useState<PreviewRow[] | null>(null)
  const [previewError, setPreviewError] = useState<string | null>(null)
  const [starting, setStarting] = useState(false)
  const [startError, setStartError] = useState<string | null>(null)
  const [jobId, setJobId] = useState<string | null>(null)
  const { job, refresh } = useImportJob(jobId)

  useEffect(() => {
    if (!mayImport) return
    let cancelled = false
    importApi.fields(kind).then(
      (f) => !cancelled && setFields(f),
      (e: unknown) => !cancelled && setUploadError(`Could not load the fields — ${errorText(e)}`),
    )
    return () => {
      cancelled = true
    }
  }, [kind, mayImport])

  // The file goes up at once; its mapping is made when both the file's columns and the fields are here.
  const onFile = (file: File) => {
    setUploading(true)
    setUploadError(null)
    importApi.upload(kind, file, file.name).then(
      (u) => {
        setUploading(false)
        setUpload(u)
      },
      (e: unknown) => {
        setUploading(false)
        setUploadError(`The file was not accepted — ${errorText(e)}`)
      },
    )
  }
  const [mappedUpload, setMappedUpload] = useState<string | null>(null)
  useEffect(() => {
    if (!upload || !fields || mappedUpload === upload.id) return
    setMapping(initialMapping(upload.columns, upload.suggestedMapping, fields))
    setMappedUpload(upload.id)
  }, [upload, fields, mappedUpload])

  const problems = useMemo(
    () => (fields ? mappingProblems(mapping, fields, duplicates) : []),
    [mapping, fields, duplicates],
  )

  // The preview follows every correction (after a short pause), for the mapping as it stands.
  useEffect(() => {
    if (!upload || mappedUpload !== upload.id || jobId !== null) return
    let cancelled = false
    const timer = setTimeout(() => {
      importApi.preview(upload.id, mapping, duplicates).then(
        (rows) => {
          if (cancelled) return
          setPreview(rows)
          setPreviewError(null)
        },
        (e: unknown) => !cancelled && setPreviewError(`The preview could not be made — ${errorText(e)}`),
      )
    }, PREVIEW_DELAY_MS)
    return () => {
      cancelled = true
      clearTimeout(timer)
    }
  }, [upload, mappedUpload, mapping, duplicates, jobId])

  const start = () => {
    if (!upload) return
    setStarting(true)
    setStartError(null)
    importApi.start(upload.id, mapping, duplicates).then(
      () => {
        setStarting(false)
        setJobId(upload.id)
      },
      (e: unknown) => {
        setStarting(false)
        setStartError(`The import did not start — ${errorText(e)}`)
      },
    )
  }

  if (!mayImport)
    return (
      <div className="notice notice--error" role="alert" data-testid="no-access">
        Your role may not create {NOUNS[kind]}, so it cannot import them.
      </div>
    )

  return (
    <div className="import-page" data-testid="import-page" data-kind={kind}>
      <div className="toolbar">
        <h1 className="page__title">Import {NOUNS[kind]}</h1>
        <span className="toolbar__spacer" />
        <a
          className="btn btn--ghost"
          href={`#/${kind === 'deals' ? 'pipelines' : kind === 'tickets' ? 'support' : kind}`}
        >
          Back to {NOUNS[kind]}
        </a>
        <a className="btn btn--ghost" href="#/imports" data-testid="imports-history">
          Import history
        </a>
      </div>
      {jobId !== null ? (
        job ? (
          <ImportProgress job={job} onChanged={refresh} />
        ) : (
          <div className="empty">Starting…</div>
        )
      ) : upload && fields && mappedUpload === upload.id ? (
        <>
          <MappingStep
            kind={kind}
            upload={upload}
            fields={fields}
            mapping={mapping}
            onMap={(column, field) => setMapping((m) => mapColumn(m, column, field))}
            duplicates={duplicates}
            onDuplicates={setDuplicates}
            preview={preview}
            previewError={previewError}
            problems={problems}
            starting={starting}
            onStart={start}
          />
          {startError && (
            <p className="notice notice--error" role="alert" data-testid="import-start-error">
              {startError}
            </p>
          )}
        </>
      ) : (
        <UploadStep
          noun={NOUNS[kind]}
          busy={uploading || fields === null}
          error={uploadError}
          onFile={onFile}
        />
      )}
    </div>
  )
}
