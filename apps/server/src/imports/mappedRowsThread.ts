import { lowerThreadPriority, serveThread } from '../threads/threadServer.ts'
import { csvProblem } from './csvFile.ts'
import { MappedRowReader, type MappedRowsChunk, type MappedRowsRequest } from './mappedRows.ts'

/*
 * The worker thread of mappedRows.ts: reads one import's CSV file and maps its rows, a chunk per call. A problem of
 * the file goes back as its plain-words message (csvProblem), which the job reports.
 */

lowerThreadPriority()

serveThread<MappedRowsRequest, MappedRowsChunk | null>('mappedRowsThread.ts', async () => {
  let reader: MappedRowReader | null = null
  return {
    async handle(request) {
      if (request.type === 'open') {
        await reader?.close()
        reader = new MappedRowReader(request.spec)
        return { result: null }
      }
      if (!reader) throw new Error('The CSV thread was asked for rows before a file.')
      try {
        return { result: await reader.next(request.max) }
      } catch (error) {
        throw new Error(csvProblem(error))
      }
    },
    close: async () => {
      await reader?.close()
    },
  }
})
