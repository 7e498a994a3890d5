import { ApiException } from '@kubernetes/client-node';
import { TrafficRouterError } from '@modelrails/plugin-mlops-node';
import { describeKubernetesError } from '../kubernetes/kubeConfig';

export { TrafficRouterError } from '@modelrails/plugin-mlops-node';
export type { TrafficRouter, TrafficSplit, TrafficVersions as Versions } from '@modelrails/plugin-mlops-node';

/** Read–modify–update attempts on 409 Conflict before giving up for this tick. */
export const CONFLICT_RETRIES = 8;

/** A Kubernetes client error as a TrafficRouterError naming the status and the server's reason. */
export function routerError(what: string, error: unknown): TrafficRouterError {
  if (error instanceof TrafficRouterError) return error;
  if (error instanceof ApiException) return new TrafficRouterError(`${what}: Kubernetes answered ${describeKubernetesError(error)}`);
  return new TrafficRouterError(`${what}: ${(error as Error)?.message ?? String(error)}`);
}

/** `fn`'s answer, or its error as a TrafficRouterError saying what was being done. */
export async function described<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw routerError(what, error);
  }
}

/**
 * Read–modify–update of one object: `read` it, let `change` edit it (throwing to refuse), `write`
 * it back with the resourceVersion read. A 409 from a concurrent writer reads again and retries.
 */
export async function readModifyUpdate<T, R>(
  what: string,
  read: () => Promise<T>,
  change: (object: T) => void,
  write: (object: T) => Promise<T>,
  result: (stored: T) => R,
): Promise<R> {
  for (let attempt = 1; ; attempt++) {
    try {
      const object = await read();
      change(object);
      return result(await write(object));
    } catch (error) {
      if (error instanceof ApiException && error.code === 409 && attempt < CONFLICT_RETRIES) continue;
      throw routerError(what, error);
    }
  }
}

/** `{version}` in a name template replaced by the version. */
export const forVersion = (template: string, version: string) => template.split('{version}').join(version);
