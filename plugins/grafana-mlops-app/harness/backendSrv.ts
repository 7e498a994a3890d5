import type { BackendSrv, BackendSrvRequest, FetchResponse } from '@grafana/runtime';
import { from, Observable } from 'rxjs';

/**
 * Grafana's backendSrv.fetch over the browser's fetch: JSON answers as FetchResponse, failures
 * thrown as FetchError ({ status, statusText, data }) the way Grafana throws them.
 */
export function fetchBackendSrv(): BackendSrv {
  const fetchOnce = <T,>(options: BackendSrvRequest): Observable<FetchResponse<T>> =>
    from(
      window.fetch(options.url, { method: options.method ?? 'GET', headers: options.headers }).then(async response => {
        const text = await response.text();
        let data: unknown = text;
        try {
          data = text ? JSON.parse(text) : undefined;
        } catch {
          // Not JSON: keep the text.
        }
        if (!response.ok) {
          throw { status: response.status, statusText: response.statusText, data, config: options };
        }
        return { data: data as T, status: response.status, statusText: response.statusText, ok: true, headers: response.headers, redirected: false, type: response.type, url: response.url, config: options };
      }),
    );
  return { fetch: fetchOnce } as unknown as BackendSrv;
}
