/**
 * HashiCorp Vault / OpenBao HTTP conventions (../shared/central-store-api.md): `/v1/` paths,
 * `X-Vault-Token`, `X-Vault-Namespace`, `X-Vault-Request`, the response envelope and the
 * `{"errors": [...]}` error body. Failures become LatchkeyErrors that say which store, which
 * operation and which path — never the token.
 */
import { LatchkeyError } from '../../errors';
import { HttpClient, HttpFailure, type HttpResponse } from '../http-client';

export interface VaultApiOptions {
  readonly store: string;
  readonly addr: string;
  readonly namespace?: string;
  readonly ca?: string;
  readonly requestTimeoutMs?: number;
  readonly concurrency?: number;
}

export interface VaultEnvelope {
  readonly data?: unknown;
  readonly auth?: unknown;
  readonly wrap_info?: unknown;
  readonly warnings?: unknown;
}

export class VaultApi {
  readonly #http: HttpClient;
  readonly #store: string;
  readonly #namespace: string | undefined;
  #token: string | undefined;
  /** Absolute deadline for every request made from now on (the sync's overall deadline). */
  deadline = Infinity;

  constructor(options: VaultApiOptions) {
    this.#store = options.store;
    this.#namespace = options.namespace;
    this.#http = new HttpClient({
      baseUrl: options.addr,
      ...(options.ca ? { ca: options.ca } : {}),
      requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
      maxSockets: options.concurrency ?? 8,
    });
  }

  /** Sets the token sent from now on (kept only as long as this object). */
  useToken(token: string | undefined): void {
    this.#token = token;
  }

  /**
   * One API call. Returns the parsed envelope, or undefined for 404 (missing path). `what` names
   * the operation for messages ("reading teams/payments/development/stripe").
   */
  async call(
    method: string,
    path: string,
    what: string,
    options: { body?: unknown; retry?: boolean; allow404?: boolean; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; envelope: VaultEnvelope | undefined }> {
    const headers: Record<string, string> = { 'X-Vault-Request': 'true', ...options.headers };
    if (this.#token) headers['X-Vault-Token'] = this.#token;
    if (this.#namespace) headers['X-Vault-Namespace'] = this.#namespace;
    let response: HttpResponse;
    try {
      response = await this.#http.request({
        method,
        path: `/v1/${path}`,
        headers,
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
        deadline: this.deadline,
        retry: options.retry ?? true,
      });
    } catch (error) {
      throw this.#wrapFailure(error, what);
    }
    try {
      if (response.status === 404 && options.allow404 !== false) {
        return { status: 404, envelope: parseEnvelope(response.body) };
      }
      if (response.status === 204) return { status: 204, envelope: undefined };
      if (response.status >= 200 && response.status < 300) {
        const envelope = parseEnvelope(response.body);
        if (envelope === undefined) throw this.#protocol(what, 'the answer is not a JSON object');
        return { status: response.status, envelope };
      }
      throw this.#statusError(response, what);
    } finally {
      response.body.fill(0);
    }
  }

  #statusError(response: HttpResponse, what: string): LatchkeyError {
    const status = response.status;
    const message = errorsOf(response.body);
    const where = `${what} from store '${this.#store}'`;
    if (status === 403) {
      return new LatchkeyError(
        'STORE_PERMISSION_DENIED',
        `${where}: 403 permission denied${message ? ` (${message})` : ''}; if your token expired run 'latchkey store login ${this.#store}', otherwise ask your team lead for access`,
      );
    }
    if (status === 400 || status === 405 || status === 412) {
      return new LatchkeyError('STORE_PROTOCOL', `${where}: ${status}${message ? ` (${message})` : ''}`);
    }
    const why =
      status === 503
        ? 'the store is sealed or in maintenance'
        : status === 429
          ? 'the store kept rate-limiting us'
          : `the store kept failing (${status})`;
    return new LatchkeyError(
      'STORE_UNAVAILABLE',
      `${where}: ${why}${message ? ` (${message})` : ''}; try again later`,
    );
  }

  #wrapFailure(error: unknown, what: string): LatchkeyError {
    if (error instanceof LatchkeyError) return error;
    const where = `${what} from store '${this.#store}'`;
    if (error instanceof HttpFailure) {
      if (error.kind === 'tls') {
        return new LatchkeyError('STORE_TLS_UNTRUSTED', `${where}: ${error.detail}`);
      }
      const tries = error.attempts > 1 ? ` after ${error.attempts} attempts` : '';
      return new LatchkeyError('STORE_UNAVAILABLE', `${where}: ${error.detail}${tries}`);
    }
    return new LatchkeyError('STORE_UNAVAILABLE', `${where}: the request failed`);
  }

  #protocol(what: string, detail: string): LatchkeyError {
    return new LatchkeyError('STORE_PROTOCOL', `${what} from store '${this.#store}': ${detail}`);
  }

  protocolError(what: string, detail: string): LatchkeyError {
    return this.#protocol(what, detail);
  }

  close(): void {
    this.#http.close();
  }
}

function parseEnvelope(body: Buffer): VaultEnvelope | undefined {
  if (body.length === 0) return undefined;
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** The `errors` of an error body, shortened and stripped of control characters. */
function errorsOf(body: Buffer): string {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { errors?: unknown };
    if (!Array.isArray(parsed.errors)) return '';
    return parsed.errors
      .filter((e): e is string => typeof e === 'string')
      .map((e) => e.replace(/[\x00-\x1f\x7f]+/g, ' ').trim())
      .filter((e) => e.length > 0)
      .join('; ')
      .slice(0, 200);
  } catch {
    return '';
  }
}
