import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { ApiError } from '../auth/authApi.ts'
import { emailField, errorsFromApi, passwordField, validateForm } from './formErrors.ts'

describe('form errors', () => {
  it('validates with plain messages, first message per field', () => {
    const schema = z.object({ email: emailField, password: passwordField })
    const result = validateForm(schema, { email: 'nope', password: 'short' })
    expect(result).toEqual({
      ok: false,
      errors: {
        email: 'Enter an email address like name@company.com',
        password: 'Use at least 8 characters',
      },
    })
    expect(validateForm(schema, { email: ' a@b.io ', password: 'long enough' })).toEqual({
      ok: true,
      data: { email: 'a@b.io', password: 'long enough' },
    })
  })

  it('places server messages beside known fields and never shows raw schema text', () => {
    const invalid = new ApiError(
      'invalid',
      400,
      'invalid_input',
      'name: Enter your name; token: Too small: expected string',
    )
    expect(errorsFromApi(invalid, ['name', 'password'])).toEqual({ name: 'Enter your name' })
    const raw = new ApiError(
      'invalid',
      400,
      'invalid_input',
      'token: Too small: expected string to have >=10 characters',
    )
    expect(errorsFromApi(raw, ['name'])).toEqual({
      form: 'Some fields are not valid. Check them and try again.',
    })
    const taken = new ApiError('invalid', 409, 'email_taken', 'An account with this email already exists.')
    expect(errorsFromApi(taken, ['email'], { email_taken: 'email' })).toEqual({
      email: 'An account with this email already exists.',
    })
    expect(errorsFromApi(new Error('x'), [])).toEqual({ form: 'Something went wrong. Please try again.' })
  })
})
