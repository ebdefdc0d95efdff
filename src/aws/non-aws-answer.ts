/**
 * An answer that is not AWS's wire format at all: an HTTP 5xx whose body is HTML or
 * plain text (moto and other emulators answer an action they lack this way). The SDK
 * would report an XML parse error after six attempts; the tool stops at the first and
 * names the status, the endpoint and the action instead.
 */

interface RawAnswerError {
  message?: string;
  $response?: { statusCode?: number };
  $metadata?: { httpStatusCode?: number };
  /** Set by the retry guard in clients.ts: where the answer came from. */
  $elasticacheKitEndpoint?: string;
}

/** The HTTP status of a non-XML 5xx answer, or undefined for any other error. */
export function nonAwsAnswerStatus(error: unknown): number | undefined {
  const e = (error ?? {}) as RawAnswerError;
  const status = e.$response?.statusCode ?? e.$metadata?.httpStatusCode;
  if (status === undefined || status < 500) return undefined;
  // The SDK's words when the body could not be read as its protocol's XML.
  if (!/Deserialization error|XML parse error|char '.' is not expected|Unexpected (token|end)/i.test(e.message ?? ''))
    return undefined;
  return status;
}

export function nonAwsAnswerEndpoint(error: unknown): string | undefined {
  return ((error ?? {}) as RawAnswerError).$elasticacheKitEndpoint;
}

interface RetryStrategyV2 {
  acquireInitialRetryToken(scope: string): Promise<unknown>;
  refreshRetryTokenForRetry(token: unknown, info: { error?: unknown }): Promise<unknown>;
  recordSuccess(token: unknown): void;
}

/**
 * Wraps the client's retry strategy so a non-AWS answer is not retried: a server that
 * does not implement the action will not start implementing it on the sixth try.
 */
export function guardRetries(
  client: { config: { retryStrategy: () => Promise<unknown> } },
  endpoint: () => string,
): void {
  const base = client.config.retryStrategy;
  client.config.retryStrategy = async () => {
    const strategy = (await base()) as RetryStrategyV2;
    if (typeof strategy.refreshRetryTokenForRetry !== 'function') return strategy;
    return {
      acquireInitialRetryToken: (scope: string) => strategy.acquireInitialRetryToken(scope),
      recordSuccess: (token: unknown) => strategy.recordSuccess(token),
      refreshRetryTokenForRetry: async (token: unknown, info: { error?: unknown }) => {
        if (nonAwsAnswerStatus(info.error) !== undefined) {
          (info.error as RawAnswerError).$elasticacheKitEndpoint = endpoint();
          throw info.error;
        }
        return strategy.refreshRetryTokenForRetry(token, info);
      },
    };
  };
}
