import type { Extension } from '@hocuspocus/server'
import type { Projection } from '../projection/Projection.ts'

/** Keeps the projection following every document Hocuspocus has loaded (see Projection for the design). */
export function projectionExtension(projection: Projection): Extension {
  return {
    extensionName: 'rapport-projection',
    async afterLoadDocument({ documentName, document }) {
      projection.attach(documentName, document)
    },
    async afterUnloadDocument({ documentName }) {
      projection.detach(documentName)
    },
  }
}
