import { ApiException } from '@kubernetes/client-node';
import { describeKubernetesError } from '../retraining/kubernetes';

/** The challenger's share of live traffic, and whether it receives a mirror of the champion's. */
export type TrafficSplit = { weight: number; mirrored: boolean };

/** The two versions a router splits between. */
export type Versions = { champion: string | null; challenger: string };

/**
 * Moves traffic between a model's champion and challenger. Every method answers with what the
 * router holds after the call, read from its own answer, never with what was asked for.
 */
export interface TrafficRouter {
  /** e.g. `VirtualService ml/home-feed`. */
  describe(): string;
  read(versions: Versions): Promise<TrafficSplit>;
  /** Read–modify–update to `split`; a conflicting writer makes it read again and retry. */
  apply(versions: Versions, split: TrafficSplit): Promise<TrafficSplit>;
  /** Frees the challenger's capacity once it gets no traffic; false when the router has nothing to scale. */
  scaleDown(versions: Versions): Promise<boolean>;
}

/**
 * The router could not be reached or did not do what was asked. Whatever the cause (an outage, a
 * 5xx, or a 404 a person must fix), the rollout stays pending and retries with backoff.
 */
export class TrafficRouterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrafficRouterError';
  }
}

/** Read–modify–update attempts on 409 Conflict before giving up for this tick. */
export const CONFLICT_RETRIES = 8;

/** A Kubernetes client error as a TrafficRouterError naming the status and the server's reason. */
export function routerError(what: string, error: unknown): TrafficRouterError {
  if (error instanceof TrafficRouterError) return error;
  if (error instanceof ApiException) return new TrafficRouterError(`${what}: Kubernetes answered ${describeKubernetesError(error)}`);
  return new TrafficRouterError(`${what}: ${(error as Error)?.message ?? String(error)}`);
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
