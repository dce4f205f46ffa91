import { open, rename, stat } from 'node:fs/promises'
import { join } from 'node:path'

/** Small durable-file helpers shared by the data-format code and its migrations. */
export const exists = (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return false
      throw error
    },
  )

/** fsync a file or directory by path. */
export const syncPath = async (path: string): Promise<void> => {
  const handle = await open(path, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** Writes a small JSON file durably: temp file, fsync, rename over the target, fsync the directory. */
export const writeJsonDurably = async (dir: string, file: string, value: unknown): Promise<void> => {
  const temp = join(dir, `.${file}.tmp`)
  const handle = await open(temp, 'w')
  try {
    await handle.writeFile(`${JSON.stringify(value)}\n`)
    await handle.sync()
  } finally {
    await handle.close()
  }
  await rename(temp, join(dir, file))
  await syncPath(dir)
}
