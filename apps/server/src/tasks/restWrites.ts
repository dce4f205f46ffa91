import type { Hocuspocus } from '@hocuspocus/server'
import { accessTo, type DocRef, docName, isModelError } from '@rapport/model'
import type * as Y from 'yjs'
import type { SessionInfo } from '../auth/sessionInfo.ts'
import { writeDocument } from '../collab/directWrites.ts'
import { AppError, forbidden } from '../errors.ts'

/** Throws 403 unless the caller's role may `need` the document `ref` (docs/schema.md §2). */
export function requireAccess(session: SessionInfo, ref: DocRef, need: 'read' | 'write'): void {
  const access = accessTo(session, ref)
  if (access === 'none' || (need === 'write' && access !== 'write')) {
    throw forbidden(`Your role (${session.role}) may not ${need === 'write' ? 'change' : 'see'} this`)
  }
}

/** A model error as the HTTP error it stands for (400 invalid input, 404 missing, else 409). */
export function modelErrorToApp(error: unknown): never {
  if (isModelError(error)) {
    const status = error.code === 'invalid_input' ? 400 : error.code === 'not_found' ? 404 : 409
    const detail = error.issues.length > 0 ? `: ${error.issues.join('; ')}` : ''
    throw new AppError(status, error.code, `${error.message}${detail}`)
  }
  throw error
}

/** A REST write through a direct connection to `ref`, attributed to the caller, after checking write access. */
export async function restWrite<T>(
  hocuspocus: Hocuspocus,
  session: SessionInfo,
  ref: DocRef,
  write: (doc: Y.Doc, origin: unknown) => T,
): Promise<T> {
  requireAccess(session, ref, 'write')
  try {
    return await writeDocument(
      hocuspocus,
      docName(ref),
      'rest',
      { userId: session.userId, name: session.name },
      write,
    )
  } catch (error) {
    modelErrorToApp(error)
  }
}
