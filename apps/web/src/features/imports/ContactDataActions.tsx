import { useState } from 'react'
import { z } from 'zod'
import { request } from '../auth/authApi.ts'
import { useSession } from '../auth/SessionContext.tsx'
import { ConfirmDialog } from './ConfirmDialog.tsx'
import { errorText } from './useImportJob.ts'
import './imports.css'

/**
 * On the contact page: "Export data" downloads everything Rapport holds about the contact as JSON; an admin may
 * "Erase contact" after typing the contact's name (data-protection requests).
 */
export function ContactDataActions({ contactId, name }: { contactId: string; name: string }) {
  const { session } = useSession()
  const [erasing, setErasing] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const path = `/api/contacts/${encodeURIComponent(contactId)}`
  const erase = () => {
    setBusy(true)
    setError(null)
    request(`${path}/erase`, z.unknown(), { method: 'POST', body: '{}' }).then(
      () => {
        setBusy(false)
        setErasing(false)
        window.location.hash = '#/contacts'
      },
      (e: unknown) => {
        setBusy(false)
        setError(`Not erased — ${errorText(e)}`)
      },
    )
  }
  return (
    <span className="contact-data-actions">
      <a
        className="btn btn--ghost"
        href={`${path}/export`}
        download={`contact-${contactId}.json`}
        data-testid="contact-export"
      >
        Export data
      </a>
      {session.role === 'admin' && (
        <button
          type="button"
          className="btn btn--ghost"
          onClick={() => setErasing(true)}
          data-testid="contact-erase"
        >
          Erase contact
        </button>
      )}
      {erasing && (
        <ConfirmDialog
          title={`Erase ${name} for good?`}
          confirmLabel="Erase"
          typeToConfirm={name}
          danger
          busy={busy}
          error={error}
          onConfirm={erase}
          onCancel={() => setErasing(false)}
          testId="erase-dialog"
        >
          <p>
            The contact and their personal fields are removed and cannot be brought back. Notes that mention
            them keep their text; the timeline records that a contact was erased, without their data.
          </p>
        </ConfirmDialog>
      )}
    </span>
  )
}
