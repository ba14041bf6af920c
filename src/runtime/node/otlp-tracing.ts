// Imported by the Node entry only when an OTLP endpoint is configured, so that without one
// none of the SDK is loaded: the app's spans stay the OpenTelemetry API's no-ops.
import { trace } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { defaultResource, resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";

type Env = Record<string, string | undefined>;

export interface OtlpTracing {
  /** Exports what is still buffered, then stops (graceful shutdown). */
  shutdown(): Promise<void>;
}

function millisecondsFrom(value: string | undefined, fallback: number): number {
  const ms = Number(value);
  return value !== undefined && value !== "" && Number.isFinite(ms) && ms >= 0 ? ms : fallback;
}

/**
 * Registers an SDK with the OpenTelemetry API that batches spans and sends them as OTLP/HTTP
 * JSON. The exporter reads its own standard variables (OTEL_EXPORTER_OTLP_ENDPOINT, or
 * ..._TRACES_ENDPOINT, ..._HEADERS, ..._TIMEOUT); this reads the batch delay
 * (OTEL_BSP_SCHEDULE_DELAY) and the service name (OTEL_SERVICE_NAME), which this SDK version
 * leaves to its caller. Sampling follows the client: a trace it marks unsampled is not
 * recorded, every other one is.
 */
export function startOtlpTracing(env: Env): OtlpTracing {
  const provider = new TracerProvider({
    resource: defaultResource().merge(
      resourceFromAttributes({
        "service.name": env.OTEL_SERVICE_NAME || "chat-list-gateway",
      }),
    ),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: new OTLPTraceExporter(),
        scheduledDelayMillis: millisecondsFrom(env.OTEL_BSP_SCHEDULE_DELAY, 5000),
        exportTimeoutMillis: millisecondsFrom(env.OTEL_BSP_EXPORT_TIMEOUT, 30_000),
      }),
    ],
  });
  trace.setGlobalTracerProvider(provider);
  return { shutdown: () => provider.shutdown() };
}
