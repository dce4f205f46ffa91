import { useCallback, useState } from 'react'

/** Validation messages per field name: `set(field, message)` shows one, `set(field, null)` clears it. */
export function useFieldErrors(): {
  errors: Readonly<Record<string, string>>
  set: (field: string, message: string | null) => void
} {
  const [errors, setErrors] = useState<Readonly<Record<string, string>>>({})
  const set = useCallback(
    (field: string, message: string | null) =>
      setErrors((prev) => {
        if (message === null) {
          if (!(field in prev)) return prev
          const next = { ...prev }
          delete next[field]
          return next
        }
        return prev[field] === message ? prev : { ...prev, [field]: message }
      }),
    [],
  )
  return { errors, set }
}
