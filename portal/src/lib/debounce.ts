'use client'
import { useEffect, useState } from 'react'

/**
 * `value` once it has stayed the same for `ms`. Sameness is React's (Object.is): pass a string or
 * a number, or an object kept by useMemo, since a new object each render never settles.
 */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value)
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms)
    return () => clearTimeout(timer)
  }, [value, ms])
  return settled
}
