import { Forbidden, Unauthorized } from '@hocuspocus/common'
import type { Extension, Hocuspocus, onAuthenticatePayload, onConfigurePayload } from '@hocuspocus/server'
import { accessTo, parseDocName } from '@rapport/model'
import type { AccessChange, AuthServices } from '../auth/authServices.ts'
import { type CollabContext, isCollabContext } from '../auth/collabContext.ts'
import type { Logger } from '../log/logger.ts'

/** Close event sent to sockets whose access changed; the provider reconnects and is re-authenticated. */
export const AccessChanged = { code: Forbidden.code, reason: 'access-changed' } as const

/**
 * Authentication and authorization of WebSocket connections.
 * - `onAuthenticate`: verifies the collab token (signature cached per token until expiry), parses the document
 *   name with the model's `parseDocName` (unknown → reject) and applies `accessTo`: 'none' rejects, 'read'
 *   sets `connectionConfig.readOnly` (Hocuspocus 3.4 then drops the connection's sync-step-2 and update
 *   messages in MessageReceiver: they are neither applied, stored nor broadcast). Returns the CollabContext.
 * - Server-side direct connections never run onAuthenticate (their context is `{ system: true }`).
 * - When a member's role changes or they are removed, or a session/API token is revoked, or the workspace is
 *   deleted, the matching sockets are closed so the clients reconnect under the new policy (or are refused).
 */
export function createAuthExtension(auth: AuthServices, logger: Logger): Extension {
  const log = logger.child('auth')
  let instance: Hocuspocus | undefined

  const matches = (context: CollabContext, change: AccessChange): boolean =>
    change.type === 'member'
      ? context.userId === change.userId && context.workspaceId === change.workspaceId
      : change.type === 'workspace'
        ? context.workspaceId === change.workspaceId
        : context.sid === change.sid

  const closeMatching = (change: AccessChange): void => {
    if (!instance) return
    let closed = 0
    for (const document of instance.documents.values()) {
      for (const connection of document.getConnections()) {
        if (isCollabContext(connection.context) && matches(connection.context, change)) {
          // Close the socket itself: a per-document close would leave the provider unauthenticated forever,
          // while a closed socket makes it reconnect and authenticate again under the current policy.
          connection.webSocket.close(AccessChanged.code, AccessChanged.reason)
          connection.close(AccessChanged)
          closed += 1
        }
      }
    }
    if (closed > 0) log.info('closed connections after access change', { ...change, closed })
  }

  auth.onAccessChange(closeMatching)

  return {
    extensionName: 'rapport-auth',

    async onConfigure(payload: onConfigurePayload) {
      instance = payload.instance
    },

    async onAuthenticate({
      token,
      documentName,
      connectionConfig,
    }: onAuthenticatePayload): Promise<CollabContext> {
      const context = auth.authenticateCollab(token)
      if (!context) {
        log.debug('rejected collab token', { documentName })
        throw Unauthorized
      }
      const ref = parseDocName(documentName)
      if (!ref) {
        log.debug('rejected unknown document name', { documentName, userId: context.userId })
        throw Forbidden
      }
      const access = accessTo(context, ref)
      if (access === 'none') {
        log.debug('rejected document access', { documentName, userId: context.userId })
        throw Forbidden
      }
      if (access === 'read' || context.readOnly) connectionConfig.readOnly = true
      return context
    },
  }
}
