import type {
  afterLoadDocumentPayload,
  afterUnloadDocumentPayload,
  connectedPayload,
  Extension,
  onDisconnectPayload,
} from '@hocuspocus/server'
import type { Logger } from '../log/logger.ts'

/** Debug-level trace of the collaboration lifecycle (connections, document loads and unloads). */
export const createLoggingExtension = (logger: Logger): Extension => ({
  extensionName: 'logging',
  async connected({ documentName, socketId }: connectedPayload) {
    logger.debug('connected', { documentName, socketId })
  },
  async onDisconnect({ documentName, socketId, clientsCount }: onDisconnectPayload) {
    logger.debug('disconnected', { documentName, socketId, clientsCount })
  },
  async afterLoadDocument({ documentName }: afterLoadDocumentPayload) {
    logger.debug('document loaded', { documentName })
  },
  async afterUnloadDocument({ documentName }: afterUnloadDocumentPayload) {
    logger.debug('document unloaded', { documentName })
  },
})
