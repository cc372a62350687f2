/** Helpers of the sync-list tests: walking a list by cursor pages, and fixed times. */
import { expect } from 'vitest'

type Get = (path: string, key: string) => Promise<{ status: number; body: any }>

/** 2026-01-01 00:00 UTC plus `n` minutes. */
export const minutes = (n: number) => new Date(Date.UTC(2026, 0, 1, 0, n))
export const ids = (body: { data: { id: string }[] }) => body.data.map((row) => row.id)

/**
 * Every page of a cursor walk, starting with `cursor=`, through `get`; `alongside` starts after each
 * page and runs while the next is read. Reads the CRM envelope (`pagination`) and /api/v1's (`meta`).
 */
export async function walk(get: Get, path: string, key: string, alongside: (page: number) => Promise<unknown> = async () => {}) {
  const seen: string[] = []
  const running: Promise<unknown>[] = []
  let cursor = ''
  for (let page = 0; page < 100; page++) {
    const answer = await get(`${path}${path.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(cursor)}`, key)
    expect(answer.status, JSON.stringify(answer.body)).toBe(200)
    seen.push(...ids(answer.body))
    const envelope = answer.body.pagination ?? answer.body.meta
    cursor = envelope.next_cursor
    if (!envelope.has_more) {
      await Promise.all(running)
      return seen
    }
    running.push(alongside(page))
  }
  throw new Error('the walk did not end')
}
