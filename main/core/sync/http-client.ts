/**
 * The HTTP client the store providers use: keep-alive connections, a custom CA, per-request
 * timeouts, an overall deadline, and retries with exponential backoff and full jitter on 429, 5xx
 * and connection errors (honouring Retry-After); never on other 4xx. Errors carry the method, the
 * path and the status — never a header, so a token can never end up in a message.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { LatchkeyError } from '../errors';

export interface RetryPolicy {
  /** Attempts after the first. */
  readonly retries: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 4, baseDelayMs: 200, maxDelayMs: 5000 };

export interface HttpClientOptions {
  readonly baseUrl: string;
  /** PEM text of extra CA certificates to trust (in addition to the system's). */
  readonly ca?: string;
  readonly requestTimeoutMs?: number;
  readonly retry?: RetryPolicy;
  readonly maxSockets?: number;
  /** The largest response body accepted. */
  readonly maxResponseBytes?: number;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
}

export interface RequestOptions {
  readonly method: string;
  /** Path and query, starting with `/`. */
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: Buffer | string;
  /** Absolute time (Date.now()) after which no new attempt starts and waits are cut short. */
  readonly deadline?: number;
  /** Whether to retry this request on 429/5xx/connection errors (reads: yes; logins: no). */
  readonly retry?: boolean;
}

/** A request that failed for good, with what a person needs to know (never a header value). */
export class HttpFailure extends Error {
  constructor(
    readonly kind: 'status' | 'timeout' | 'network' | 'tls' | 'deadline' | 'too-large',
    readonly method: string,
    readonly path: string,
    readonly status: number | undefined,
    readonly detail: string,
    readonly attempts: number,
  ) {
    super(`${method} ${path}: ${detail}`);
    this.name = 'HttpFailure';
  }
}

function retryable(status: number): boolean {
  return status === 429 || status >= 500;
}

/** Seconds, or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.trim() === '') return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Exponential backoff with full jitter: a random wait in [0, min(max, base·2^attempt)). */
export function backoffDelay(policy: RetryPolicy, attempt: number, random = Math.random): number {
  return Math.floor(random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt));
}

export class HttpClient {
  readonly #url: URL;
  readonly #agent: HttpAgent | HttpsAgent;
  readonly #timeoutMs: number;
  readonly #retry: RetryPolicy;
  readonly #maxBytes: number;

  constructor(options: HttpClientOptions) {
    this.#url = new URL(options.baseUrl);
    if (this.#url.protocol !== 'https:' && this.#url.protocol !== 'http:') {
      throw new LatchkeyError(
        'USAGE',
        `the store address must start with https:// (or http:// for a local test store)`,
      );
    }
    const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 16 };
    this.#agent =
      this.#url.protocol === 'https:'
        ? new HttpsAgent({
            ...agentOptions,
            ...(options.ca ? { ca: [...tlsRootCertificates(), options.ca] } : {}),
          })
        : new HttpAgent(agentOptions);
    this.#timeoutMs = options.requestTimeoutMs ?? 10_000;
    this.#retry = options.retry ?? DEFAULT_RETRY;
    this.#maxBytes = options.maxResponseBytes ?? 8 * 1024 * 1024;
  }

  /** Sends a request, retrying transient failures. Resolves with any final HTTP status. */
  async request(options: RequestOptions): Promise<HttpResponse> {
    const deadline = options.deadline ?? Infinity;
    let attempt = 0;
    for (;;) {
      if (Date.now() >= deadline) {
        throw new HttpFailure(
          'deadline',
          options.method,
          options.path,
          undefined,
          'the sync deadline passed',
          attempt,
        );
      }
      let wait: number | undefined;
      try {
        const response = await this.#once(options, deadline);
        if (!retryable(response.status) || options.retry === false || attempt >= this.#retry.retries) {
          return response;
        }
        wait = parseRetryAfter(response.headers['retry-after']) ?? backoffDelay(this.#retry, attempt);
      } catch (error) {
        // A certificate that is not trusted now will not be trusted in a second either.
        if (!(error instanceof HttpFailure) || error.kind === 'too-large' || error.kind === 'tls')
          throw error;
        if (options.retry === false || attempt >= this.#retry.retries || error.kind === 'deadline') {
          throw new HttpFailure(error.kind, error.method, error.path, undefined, error.detail, attempt + 1);
        }
        wait = backoffDelay(this.#retry, attempt);
      }
      attempt++;
      if (Date.now() + wait >= deadline) {
        throw new HttpFailure(
          'deadline',
          options.method,
          options.path,
          undefined,
          'the sync deadline passed while waiting to retry',
          attempt,
        );
      }
      await new Promise((r) => setTimeout(r, wait));
    }
  }

  #once(options: RequestOptions, deadline: number): Promise<HttpResponse> {
    return new Promise((resolve, reject) => {
      const url = new URL(options.path, this.#url);
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const timeout = Math.max(1, Math.min(this.#timeoutMs, deadline - Date.now()));
      const body = options.body === undefined ? undefined : Buffer.from(options.body);
      const req = send(url, {
        method: options.method,
        agent: this.#agent,
        headers: {
          ...(body ? { 'content-type': 'application/json', 'content-length': String(body.length) } : {}),
          ...options.headers,
        },
      });
      const fail = (kind: HttpFailure['kind'], detail: string): void => {
        req.destroy();
        reject(new HttpFailure(kind, options.method, options.path, undefined, detail, 1));
      };
      const timer = setTimeout(() => fail('timeout', `no answer within ${timeout} ms`), timeout);
      req.on('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        const kind = isTlsError(error) ? 'tls' : 'network';
        reject(
          new HttpFailure(kind, options.method, options.path, undefined, describeNetworkError(error), 1),
        );
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > this.#maxBytes) {
            clearTimeout(timer);
            chunks.forEach((c) => c.fill(0));
            res.destroy();
            reject(
              new HttpFailure(
                'too-large',
                options.method,
                options.path,
                res.statusCode,
                `the response is larger than ${this.#maxBytes} bytes`,
                1,
              ),
            );
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => {
          clearTimeout(timer);
          const all = Buffer.concat(chunks);
          chunks.forEach((c) => c.fill(0));
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: all });
        });
        res.on('error', (error: NodeJS.ErrnoException) => {
          clearTimeout(timer);
          reject(
            new HttpFailure(
              'network',
              options.method,
              options.path,
              undefined,
              describeNetworkError(error),
              1,
            ),
          );
        });
      });
      req.end(body);
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}

const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function isTlsError(error: NodeJS.ErrnoException): boolean {
  const code = error.code ?? '';
  return TLS_CODES.has(code) || code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_');
}

/** A network error in words, without anything that came from our request's headers. */
function describeNetworkError(error: NodeJS.ErrnoException): string {
  const code = error.code ?? '';
  if (isTlsError(error)) {
    return `the store's TLS certificate is not trusted (${code}); pass its CA with --ca-cert or VAULT_CACERT`;
  }
  if (code === 'ECONNREFUSED') return 'the connection was refused (is the store running at that address?)';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'the store host name could not be resolved';
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'the connection was reset';
  if (code === 'ETIMEDOUT') return 'the connection timed out';
  return code ? `network error ${code}` : 'network error';
}

function tlsRootCertificates(): readonly string[] {
  // Adding a CA must not drop the system's roots.
  return (require('node:tls') as typeof import('node:tls')).rootCertificates;
}
