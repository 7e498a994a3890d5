/**
 * A catalog read that failed on the way (a connection reset under load, the catalog restarting, a
 * 5xx from it) is worth another try; an answer (not found, not allowed, bad request) is not.
 */
export function isTransientCatalogError(error: unknown): boolean {
  const e = error as { name?: string; message?: string; code?: string; cause?: { code?: string }; response?: { status?: number } };
  const status = e?.response?.status;
  if (typeof status === 'number') return status >= 500 || status === 429;
  if (e?.name === 'NotFoundError' || e?.name === 'NotAllowedError' || e?.name === 'AuthenticationError' || e?.name === 'InputError') return false;
  const code = e?.code ?? e?.cause?.code;
  if (code && ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT'].includes(code)) return true;
  return /ECONNRESET|ECONNREFUSED|socket hang up|fetch failed|other side closed/i.test(String(e?.message ?? ''));
}

/** Catalog reads retried this many times after the first, 50 ms then 200 ms apart. */
export const CATALOG_RETRIES = 2;

/** Runs a catalog read, retrying transient failures (each read is idempotent). */
export async function withCatalogRetry<T>(read: () => Promise<T>, sleep = (ms: number) => new Promise(r => setTimeout(r, ms))): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await read();
    } catch (error) {
      if (attempt >= CATALOG_RETRIES || !isTransientCatalogError(error)) throw error;
      await sleep(attempt === 0 ? 50 : 200);
    }
  }
}
