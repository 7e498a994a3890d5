import { ApiException } from '@kubernetes/client-node';

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
 * The router could not be reached or did not do what was asked: the rollout stays pending and
 * retries. `retryable` is false for answers a retry will not change (404, 422, 401/403), which
 * still only hold the rollout: a person fixes the configuration.
 */
export class TrafficRouterError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'TrafficRouterError';
  }
}

/** Read–modify–update attempts on 409 Conflict before giving up for this tick. */
export const CONFLICT_RETRIES = 8;

/** A Kubernetes client error as a TrafficRouterError naming the status and the server's reason. */
export function routerError(what: string, error: unknown): TrafficRouterError {
  if (error instanceof TrafficRouterError) return error;
  if (error instanceof ApiException) {
    let detail = '';
    try {
      const body = typeof error.body === 'string' ? JSON.parse(error.body) : (error.body as any);
      detail = [body?.reason, body?.message].filter(Boolean).join(': ');
    } catch {
      detail = String(error.body ?? '').slice(0, 200);
    }
    const retryable = error.code === 409 || error.code === 429 || error.code >= 500;
    return new TrafficRouterError(`${what}: Kubernetes answered ${error.code}${detail ? ` (${detail})` : ''}`, retryable);
  }
  return new TrafficRouterError(`${what}: ${(error as Error)?.message ?? String(error)}`, true);
}

export const isConflict = (error: unknown) => error instanceof ApiException && error.code === 409;

/** `{version}` in a name template replaced by the version. */
export const forVersion = (template: string, version: string) => template.split('{version}').join(version);
