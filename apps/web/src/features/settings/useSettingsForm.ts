import { type FormEvent, useEffect, useState } from 'react'
import type { FormResult } from './settingsForms.ts'

/**
 * The state of one settings form: the form built from the stored value (rebuilt when someone else saves), the
 * errors of the last submit and whether it was saved. `save` runs the model command and says whether it ran.
 */
export function useSettingsForm<S, F, V>(
  stored: S,
  toForm: (stored: S) => F,
  parse: (form: F) => FormResult<V>,
  save: (value: V) => boolean,
) {
  const current = JSON.stringify(stored)
  const [form, setForm] = useState<F>(() => toForm(stored))
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [saved, setSaved] = useState(false)
  // Someone else saved: show the stored value.
  // biome-ignore lint/correctness/useExhaustiveDependencies: follows the stored value only
  useEffect(() => setForm(toForm(JSON.parse(current))), [current])

  const submit = (e: FormEvent) => {
    e.preventDefault()
    setSaved(false)
    const parsed = parse(form)
    if (!parsed.ok) return setErrors(parsed.errors)
    setErrors({})
    if (save(parsed.value)) setSaved(true)
  }
  return { form, setForm, errors, saved, submit }
}
