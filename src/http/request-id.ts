import { randomUUID } from 'node:crypto'

const VALID_ID = /^[A-Za-z0-9._:-]{1,128}$/

/** Echo a caller's X-Request-Id when it is sane, otherwise mint one. */
export const requestIdFor = (incoming: string | undefined | null) => (incoming && VALID_ID.test(incoming) ? incoming : randomUUID())
