'use client'
import { type ReactNode, type SyntheticEvent, useEffect, useId, useRef, useState } from 'react'

/** An inline message placed where the problem happened; announced to screen readers. */
export function Notice({ kind = 'error', children }: { kind?: 'error' | 'success' | 'warning' | 'info'; children: ReactNode }) {
  if (!children) return null
  return (
    <div className={`notice notice-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  )
}

/** A list or panel on its way: the words for everyone, and placeholder rows where the content will be. */
export function Loading({ label = 'Loading…', rows = 3 }: { label?: string; rows?: number }) {
  return (
    <div className="loading" role="status" aria-live="polite">
      <span className="loading-label">{label}</span>
      {Array.from({ length: rows }, (_, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: identical placeholders that never reorder or hold state
        <div key={i} className="skeleton" aria-hidden="true" />
      ))}
    </div>
  )
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>
}

/** A secret shown once: the value, a copy button and a warning that it will not come back. */
export function SecretOnce({ label, value, warning, onDone }: { label: string; value: string; warning: string; onDone: () => void }) {
  const [copied, setCopied] = useState<'idle' | 'done' | 'failed'>('idle')
  const inputRef = useRef<HTMLInputElement>(null)
  const id = useId()
  useEffect(() => inputRef.current?.focus(), [])
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value)
      setCopied('done')
    } catch {
      inputRef.current?.select()
      setCopied(document.execCommand?.('copy') ? 'done' : 'failed')
    }
  }
  return (
    <section className="secret-once" aria-labelledby={`${id}-label`}>
      <label id={`${id}-label`} htmlFor={id} className="secret-label">
        {label}
      </label>
      <div className="secret-row">
        <input
          id={id}
          ref={inputRef}
          className="secret-value mono"
          readOnly
          value={value}
          onFocus={(e) => e.currentTarget.select()}
          data-testid="secret-value"
        />
        <button type="button" className="button primary" onClick={copy}>
          {copied === 'done' ? 'Copied' : 'Copy'}
        </button>
      </div>
      <p className="warning-text">
        <strong>Save it now.</strong> {warning}
      </p>
      <p aria-live="polite" className="hint">
        {copied === 'done' ? 'Copied to the clipboard.' : copied === 'failed' ? 'Copy failed: select the text and copy it by hand.' : ''}
      </p>
      <button type="button" className="button" onClick={onDone}>
        I have saved it
      </button>
    </section>
  )
}

/** A confirmation in a native modal dialog (focus is trapped and starts on Cancel, Escape cancels). */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  danger = true,
  busy = false,
  error,
  onConfirm,
  onCancel,
}: {
  open: boolean
  title: string
  children: ReactNode
  confirmLabel: string
  danger?: boolean
  busy?: boolean
  error?: string
  onConfirm: () => void
  onCancel: () => void
}) {
  const ref = useRef<HTMLDialogElement>(null)
  const id = useId()
  useEffect(() => {
    const dialog = ref.current
    if (!dialog) return
    if (open && !dialog.open) dialog.showModal()
    if (!open && dialog.open) dialog.close()
  }, [open])
  // Escape closes the dialog through its owner, so `open` stays the one source of truth.
  const cancel = (event: SyntheticEvent) => {
    event.preventDefault()
    onCancel()
  }
  return (
    <dialog ref={ref} className="dialog" aria-labelledby={`${id}-title`} onCancel={cancel}>
      <h2 id={`${id}-title`}>{title}</h2>
      <div className="dialog-body">{children}</div>
      <Notice>{error}</Notice>
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
        <button type="button" className={`button ${danger ? 'danger' : 'primary'}`} onClick={onConfirm} disabled={busy}>
          {busy ? 'Working…' : confirmLabel}
        </button>
      </div>
    </dialog>
  )
}
