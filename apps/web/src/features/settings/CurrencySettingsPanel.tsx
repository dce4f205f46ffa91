import { type CurrencySettings, setCurrency, type WorkspaceSettings } from '@rapport/model'
import { LOCAL_ORIGIN } from '../../collab/localOrigin.ts'
import { FieldError } from '../../ui/FieldError.tsx'
import { SaveActions } from './SaveActions.tsx'
import type { RunCommand } from './SettingsPage.tsx'
import { type CurrencyForm, parseCurrencyForm } from './settingsForms.ts'
import { useSettingsForm } from './useSettingsForm.ts'

const toForm = (currency: CurrencySettings): CurrencyForm => ({
  base: currency.base,
  rates: [
    ...Object.entries(currency.rates).map(([code, rate]) => ({ code, rate: String(rate) })),
    { code: '', rate: '' },
  ],
})

/** The base currency board totals convert to, and the rate of each other currency. */
export function CurrencySettingsPanel({
  settings,
  readOnly,
  run,
}: {
  settings: WorkspaceSettings
  readOnly: boolean
  run: RunCommand
}) {
  const { form, setForm, errors, saved, submit } = useSettingsForm(
    settings.currency,
    toForm,
    parseCurrencyForm,
    (value) => run((doc) => setCurrency(doc, value, LOCAL_ORIGIN)),
  )
  const setRate = (i: number, patch: Partial<{ code: string; rate: string }>) => {
    const rates = form.rates.map((r, j) => (j === i ? { ...r, ...patch } : r))
    const last = rates[rates.length - 1]
    if (last && (last.code !== '' || last.rate !== '')) rates.push({ code: '', rate: '' })
    setForm({ ...form, rates })
  }
  const error = (key: string) => <FieldError message={errors[key]} />
  return (
    <form className="panel" onSubmit={submit} aria-label="Currency" data-testid="currency-settings">
      <h2 className="panel__title">Currency</h2>
      <p className="muted">
        Board totals and forecasts are shown in the base currency. A rate is the value of one unit of that
        currency in the base currency.
      </p>
      <label className="setting-input">
        <span className="setting-input__label">Base currency</span>
        <input
          value={form.base}
          readOnly={readOnly}
          maxLength={3}
          onChange={(e) => setForm({ ...form, base: e.target.value.toUpperCase() })}
          aria-invalid={errors.base ? true : undefined}
          data-testid="currency-base"
        />
        {error('base')}
      </label>
      <h3 className="settings__subtitle">Exchange rates</h3>
      <ul className="settings__rates">
        {form.rates.map((row, i) =>
          readOnly && row.code === '' ? null : (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity until saved
            <li key={i} className="settings__rate" data-testid="currency-rate">
              <label className="setting-input">
                <span className="setting-input__label">Currency</span>
                <input
                  value={row.code}
                  readOnly={readOnly}
                  maxLength={3}
                  placeholder="USD"
                  onChange={(e) => setRate(i, { code: e.target.value.toUpperCase() })}
                  data-testid="currency-rate-code"
                />
                {error(`rates.${i}.code`)}
              </label>
              <label className="setting-input">
                <span className="setting-input__label">{`1 ${row.code || '…'} =`}</span>
                <span className="setting-input__row">
                  <input
                    type="number"
                    inputMode="decimal"
                    step="any"
                    readOnly={readOnly}
                    value={row.rate}
                    onChange={(e) => setRate(i, { rate: e.target.value })}
                    data-testid="currency-rate-value"
                  />
                  <span className="setting-input__suffix">{form.base}</span>
                </span>
                {error(`rates.${i}.rate`)}
              </label>
            </li>
          ),
        )}
      </ul>
      <SaveActions label="Save currency" testId="save-currency" saved={saved} readOnly={readOnly} />
    </form>
  )
}
