import type { HocuspocusProvider } from '@hocuspocus/provider'
import {
  collectionMap,
  DEALS,
  type Deal,
  type DealPatch,
  endOfColumn,
  type Position,
  placeDeal,
  type Stage,
  updateDeal,
} from '@rapport/model'
import { useEffect } from 'react'
import type * as Y from 'yjs'
import { CustomFieldsSection } from '../customFields/CustomFieldsSection.tsx'
import { LostNotice } from '../pipeline/LostNotice.tsx'
import { LostReasonDialog } from '../pipeline/LostReasonDialog.tsx'
import { useLostReason } from '../pipeline/useLostReason.ts'
import { AccountPicker } from './AccountPicker.tsx'
import { CheckedField, DateField } from './CheckedField.tsx'
import { ContactsPicker } from './ContactsPicker.tsx'
import { DetailsHead } from './DetailsHead.tsx'
import {
  type FieldInput,
  notSaved,
  parseAmount,
  parseCurrency,
  parseDate,
  parseRequiredText,
  parseText,
} from './fieldInput.ts'
import { OwnerField } from './OwnerField.tsx'
import { useRecordFields } from './useRecordFields.ts'

const STATUS_LABEL: Record<Deal['status'], string> = { open: 'Open', won: 'Won', lost: 'Lost' }

export interface DealDetailsProps {
  deal: Deal
  /** The deal comes from the live document (not the server's first copy): it may be edited. */
  live: boolean
  doc: Y.Doc | null
  provider: HocuspocusProvider | null
  readOnly: boolean
  stages: readonly Stage[]
  /** The live deal(s): someone else moving this deal while its lost reason is asked cancels the ask. */
  deals: ReadonlyMap<string, Deal>
  /**
   * The place at the end of a stage on the board (after its last card); by default the end of the stage among the
   * deals of `doc` (a deal's own document holds no other card).
   */
  columnEnd?: (stageId: string) => Position | null
}

/**
 * Every field of a deal, edited live in its own document with presence: each field publishes
 * `editing: 'deal.<id>.<field>'`. A stage change is a `moveDeal` (position, status, stage time and lost reason
 * together); a move into a lost stage asks why first.
 */
export function DealDetails(props: DealDetailsProps) {
  const { deal, live, doc, provider, readOnly, stages, deals, columnEnd } = props
  const locked = readOnly || !live || !doc
  const { editors, presence, setError, write, common } = useRecordFields<DealPatch>({
    doc,
    provider,
    locked,
    id: deal.id,
    prefix: `deal.${deal.id}.`,
    update: updateDeal,
  })
  /** Validates typed text first: an invalid value is not written, its message shows beside the field. */
  const commitParsed =
    <T,>(field: keyof DealPatch, parse: (text: string) => FieldInput<T>) =>
    (text: string) => {
      const parsed = parse(text)
      if (!parsed.ok) setError(field, notSaved(text, parsed.message))
      else write(field, { [field]: parsed.value } as DealPatch)
    }

  const lost = useLostReason(doc, stages)
  const { onDealsChanged } = lost
  useEffect(() => onDealsChanged(deals), [deals, onDealsChanged])
  const stageId = lost.pending?.to.column ?? placeDeal(deal, stages) ?? ''
  const moveTo = (target: string) => {
    if (!doc || locked || target === deal.position.column) return
    lost.move(doc, deal.id, columnEnd?.(target) ?? endOfColumn(collectionMap(doc, DEALS), target))
  }

  return (
    <section className="panel" data-testid="deal-details">
      <DetailsHead readOnly={readOnly} editors={editors} />
      <div className="fields">
        <CheckedField
          name="title"
          label="Title"
          value={deal.title}
          onCommit={commitParsed('title', (t) => parseRequiredText(t, 'The title', 200))}
          {...common('title')}
        />
        <CheckedField
          name="amount"
          label="Amount"
          value={String(deal.amount)}
          onCommit={commitParsed('amount', parseAmount)}
          {...common('amount')}
        />
        <CheckedField
          name="currency"
          label="Currency"
          value={deal.currency}
          onCommit={commitParsed('currency', parseCurrency)}
          {...common('currency')}
        />
        <AccountPicker
          testId="field-accountId"
          label="Account"
          value={deal.accountId}
          readOnly={locked}
          onChange={(accountId) => write('accountId', { accountId })}
          {...presence('accountId')}
        />
        <OwnerField
          value={deal.ownerId}
          onCommit={(ownerId) => write('ownerId', { ownerId })}
          {...common('ownerId')}
        />
        <DateField
          name="expectedCloseDate"
          label="Expected close date"
          value={deal.expectedCloseDate}
          onCommit={commitParsed('expectedCloseDate', parseDate)}
          {...common('expectedCloseDate')}
        />
        <CheckedField
          name="stage"
          label="Stage"
          value={stageId}
          options={stages.map((s) => ({ value: s.id, label: s.name }))}
          onCommit={moveTo}
          {...common('stage')}
        />
        <div className="live-field">
          <label className="live-field__label" htmlFor="field-status">
            Status (follows the stage)
          </label>
          <input
            id="field-status"
            data-testid="field-status"
            data-status={deal.status}
            className={`status-field status-field--${deal.status}`}
            value={STATUS_LABEL[deal.status]}
            readOnly
          />
        </div>
        {deal.status === 'lost' && (
          <CheckedField
            name="lostReason"
            label="Lost reason"
            value={deal.lostReason ?? ''}
            onCommit={commitParsed('lostReason', (t) => {
              const parsed = parseText(t.trim(), 'The lost reason', 500)
              return parsed.ok ? { ok: true, value: parsed.value || null } : parsed
            })}
            {...common('lostReason')}
            readOnly={locked}
          />
        )}
      </div>
      <ContactsPicker
        accountId={deal.accountId}
        value={deal.contactIds}
        readOnly={locked}
        onChange={(contactIds) => write('contactIds', { contactIds })}
      />
      <CustomFieldsSection
        kind="deal"
        values={deal.customFields}
        readOnly={locked}
        onChange={(fieldId, value) => write('customFields', { customFields: { [fieldId]: value } })}
      />
      <LostNotice notice={lost.notice} onDismiss={lost.dismissNotice} />
      {lost.pending && (
        <LostReasonDialog
          dealTitle={deal.title}
          stageName={stages.find((s) => s.id === lost.pending?.to.column)?.name ?? 'Lost'}
          error={lost.error}
          onConfirm={lost.confirm}
          onCancel={lost.cancel}
        />
      )}
    </section>
  )
}
