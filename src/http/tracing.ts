/**
 * Tracing with OpenTelemetry, exported over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set.
 * Off by default, and then free: neither the API nor the SDK is loaded, `inSpan` runs its work
 * directly and `traceparent()` answers null. One trace follows an event from the API request
 * through the automation, the worker's send and its provider call, to the webhook delivery it
 * causes: work queued in a table carries the W3C traceparent of the span that queued it
 * (communications.trace_context, webhook_deliveries.trace_context), and the span that picks it up
 * continues that trace. Spans carry the request id (`request_id`), the key of the request's log line.
 */
import type { Context, Span, Tracer } from '@opentelemetry/api'

type Api = typeof import('@opentelemetry/api')

interface Tracing {
  api: Api
  tracer: Tracer
  flush(): Promise<void>
  shutdown(): Promise<void>
}

let tracing: Tracing | undefined

export interface TracingOptions {
  /** OTLP/HTTP base URL; spans go to `<endpoint>/v1/traces`. Unset: tracing stays off. */
  endpoint?: string
  serviceName: string
}

/** Loads the SDK and starts exporting, once per process; answers whether tracing is on. */
export async function startTracing(options: TracingOptions): Promise<boolean> {
  if (tracing || !options.endpoint) return tracing !== undefined
  const [api, sdk, { AsyncLocalStorageContextManager }, { OTLPTraceExporter }, { resourceFromAttributes }, { W3CTraceContextPropagator }] =
    await Promise.all([
      import('@opentelemetry/api'),
      import('@opentelemetry/sdk-trace'),
      import('@opentelemetry/context-async-hooks'),
      import('@opentelemetry/exporter-trace-otlp-http'),
      import('@opentelemetry/resources'),
      import('@opentelemetry/core'),
    ])
  const provider = new sdk.TracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
    spanProcessors: [
      new sdk.BatchSpanProcessor({
        exporter: new OTLPTraceExporter({ url: `${options.endpoint}/v1/traces` }),
        scheduledDelayMillis: 1_000,
      }),
    ],
  })
  api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
  api.propagation.setGlobalPropagator(new W3CTraceContextPropagator())
  api.trace.setGlobalTracerProvider(provider)
  tracing = {
    api,
    tracer: provider.getTracer('crm'),
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  }
  return true
}

/** Sends the spans still buffered and stops (at shutdown). */
export async function stopTracing(): Promise<void> {
  const current = tracing
  tracing = undefined
  await current?.shutdown()
}

export const tracingOn = () => tracing !== undefined

export type SpanKind = 'internal' | 'server' | 'client' | 'consumer'
export type Attributes = Record<string, string | number | boolean | undefined>

export interface SpanOptions {
  kind?: SpanKind
  attributes?: Attributes
  /** A stored W3C traceparent to continue (queued work); otherwise the active span is the parent. */
  parent?: string | null
  /** Incoming HTTP headers whose traceparent to continue (a request). */
  headers?: Headers
}

/** What `inSpan` hands its work: add attributes or rename once known; nothing happens when off. */
export interface SpanHandle {
  set(attributes: Attributes): void
  rename(name: string): void
  traceId?: string
}

const noSpan: SpanHandle = { set() {}, rename() {} }

/**
 * Runs `work` in a span named `name` (when tracing is on), ending it when the work settles; a
 * thrown error marks the span as failed.
 */
export function inSpan<T>(name: string, options: SpanOptions, work: (span: SpanHandle) => Promise<T>): Promise<T> {
  if (!tracing) return work(noSpan)
  const { api, tracer } = tracing
  const kind = { internal: 0, server: 1, client: 2, consumer: 4 }[options.kind ?? 'internal'] as number
  return tracer.startActiveSpan(name, { kind, attributes: defined(options.attributes) }, parentOf(api, options), async (span) => {
    try {
      return await work(handleOf(span))
    } catch (error) {
      failed(span, error)
      throw error
    } finally {
      span.end()
    }
  })
}

/** Marks the active span as failed, e.g. for an answer of 5xx or a provider's refusal. */
export function spanFailed(reason: unknown): void {
  const span = tracing?.api.trace.getActiveSpan()
  if (span) failed(span, reason)
}

/** The active span as a W3C traceparent, to store with queued work; null when off or outside a span. */
export function traceparent(): string | null {
  if (!tracing) return null
  const carrier: Record<string, string> = {}
  tracing.api.propagation.inject(tracing.api.context.active(), carrier)
  return carrier.traceparent ?? null
}

function parentOf(api: Api, options: SpanOptions): Context {
  const active = api.context.active()
  if (options.parent) return api.propagation.extract(active, { traceparent: options.parent })
  if (options.headers?.has('traceparent')) return api.propagation.extract(active, { traceparent: options.headers.get('traceparent') })
  return active
}

function handleOf(span: Span): SpanHandle {
  return {
    set: (attributes) => span.setAttributes(defined(attributes)),
    rename: (name) => span.updateName(name),
    traceId: span.spanContext().traceId,
  }
}

function failed(span: Span, reason: unknown) {
  if (reason instanceof Error) span.recordException(reason)
  span.setStatus({ code: 2, message: reason instanceof Error ? reason.message : String(reason) })
}

function defined(attributes: Attributes = {}): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {}
  for (const [key, value] of Object.entries(attributes)) if (value !== undefined) out[key] = value
  return out
}
