/**
 * Subscriptions as server-sent events (the GraphQL over SSE protocol's distinct connections mode,
 * which Yoga speaks): Yoga's own processor, plus what live subscriptions need on top (decision
 * 0019). Each event of a change-based subscription carries its feed position as the SSE `id` and
 * in `extensions.cursor`, so an EventSource reconnects with `Last-Event-ID` and misses nothing;
 * a comment line every SSE_HEARTBEAT_MS keeps idle streams open through proxies; and the stream's
 * iterator is returned when the client goes, which releases the subscription.
 */
import type { ExecutionResult, GraphQLFormattedError } from 'graphql'
import { isAsyncIterable, type Plugin } from 'graphql-yoga'
import type { Context } from '../context/context.js'
import { lastPositionOf } from '../services/live/subscriptions.js'

const encoder = new TextEncoder()
const HEARTBEAT = encoder.encode(':\n\n')

export function useLiveEvents(heartbeatMs: number): Plugin<Context> {
  return {
    onSubscribe: ({ args }) => ({
      onSubscribeResult: () => ({
        onNext: ({ result, setResult }) => {
          const position = lastPositionOf(args.contextValue)
          if (position !== undefined) setResult({ ...result, extensions: { ...result.extensions, cursor: String(position) } })
        },
      }),
    }),
    onResultProcess: ({ result, setResultProcessor, resultProcessor, acceptableMediaTypes }) => {
      // Only streams Yoga chose to answer as text/event-stream; single answers keep its statuses.
      if (!isAsyncIterable(result) || !resultProcessor || !acceptableMediaTypes.includes('text/event-stream')) return
      setResultProcessor((input) => eventStream(input as AsyncIterable<ExecutionResult>, heartbeatMs), 'text/event-stream')
    },
  }
}

function eventStream(results: AsyncIterable<ExecutionResult>, heartbeatMs: number): Response {
  const iterator = results[Symbol.asyncIterator]()
  let heartbeat: NodeJS.Timeout | undefined
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      // Sent at once: some clients wait for the first bytes before they report the stream open.
      controller.enqueue(HEARTBEAT)
      heartbeat = setInterval(() => {
        if (controller.desiredSize === null) clearInterval(heartbeat)
        else controller.enqueue(HEARTBEAT)
      }, heartbeatMs)
    },
    async pull(controller) {
      try {
        const next = await iterator.next()
        if (next.value) controller.enqueue(encoder.encode(eventText(next.value)))
        if (next.done) {
          clearInterval(heartbeat)
          controller.enqueue(encoder.encode('event: complete\ndata:\n\n'))
          controller.close()
        }
      } catch (error) {
        clearInterval(heartbeat)
        controller.error(error)
      }
    },
    async cancel() {
      // The client went away: returning the iterator releases the subscription.
      clearInterval(heartbeat)
      await iterator.return?.()
    },
  })
  return new Response(body, {
    status: 200,
    headers: { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' },
  })
}

function eventText(result: ExecutionResult): string {
  const cursor = (result.extensions as { cursor?: string } | undefined)?.cursor
  const payload = {
    ...(result.errors ? { errors: result.errors.map(publicError) } : {}),
    ...('data' in result ? { data: result.data } : {}),
    ...(result.extensions ? { extensions: result.extensions } : {}),
  }
  return `event: next\n${cursor ? `id: ${cursor}\n` : ''}data: ${JSON.stringify(payload)}\n\n`
}

/** An error as the client sees it: without the extensions Yoga keeps for itself (HTTP status, headers). */
function publicError(error: { toJSON?: () => GraphQLFormattedError }): GraphQLFormattedError {
  const formatted = error.toJSON ? error.toJSON() : (error as GraphQLFormattedError)
  if (!formatted.extensions) return formatted
  const { http: _http, unexpected: _unexpected, ...extensions } = formatted.extensions
  return { ...formatted, extensions: Object.keys(extensions).length ? extensions : undefined }
}
