'use client'
import { WEBHOOK_EVENTS } from '../../lib/events'

/** Every webhook event as a checkbox, with Select all and Clear. */
export function EventPicker({
  selected,
  onChange,
  idPrefix,
}: {
  selected: string[]
  onChange: (events: string[]) => void
  idPrefix: string
}) {
  return (
    <fieldset className="field">
      <legend>Events</legend>
      <div className="scope-tools">
        <button type="button" className="link-button" onClick={() => onChange(WEBHOOK_EVENTS.map((e) => e.name))}>
          Select all
        </button>
        <button type="button" className="link-button" onClick={() => onChange([])}>
          Clear
        </button>
      </div>
      <div className="checks">
        {WEBHOOK_EVENTS.map((event) => (
          <label key={event.name} className="choice" htmlFor={`${idPrefix}-${event.name}`}>
            <input
              id={`${idPrefix}-${event.name}`}
              type="checkbox"
              value={event.name}
              checked={selected.includes(event.name)}
              onChange={(e) => onChange(e.target.checked ? [...selected, event.name] : selected.filter((s) => s !== event.name))}
            />
            <code>{event.name}</code>
            <span className="hint">{event.label}</span>
          </label>
        ))}
      </div>
    </fieldset>
  )
}
