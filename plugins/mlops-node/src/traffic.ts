/** The challenger's share of live traffic, and whether it receives a mirror of the champion's. @public */
export type TrafficSplit = {
  weight: number;
  mirrored: boolean;
  /**
   * Set while the router holds the split but does not serve it yet (KServe before its new revision
   * takes the traffic): why, for people. The rollout engine judges no step until it is cleared.
   */
  settling?: string;
};

/** The two versions a router splits between. @public */
export type TrafficVersions = { champion: string | null; challenger: string };

/**
 * Moves traffic between a model's champion and challenger. Every method answers with what the
 * router holds after the call, read from its own answer, never with what was asked for: the
 * rollout engine compares the two and retries until they agree.
 * @public
 */
export interface TrafficRouter {
  /** What it routes, for people: e.g. `VirtualService ml/home-feed`. */
  describe(): string;
  read(versions: TrafficVersions): Promise<TrafficSplit>;
  /** Read–modify–update to `split`; a conflicting writer makes it read again and retry. */
  apply(versions: TrafficVersions, split: TrafficSplit): Promise<TrafficSplit>;
  /** Frees the challenger's capacity once it gets no traffic; false when the router has nothing to scale. */
  scaleDown(versions: TrafficVersions): Promise<boolean>;
}

/**
 * The router could not be reached or did not do what was asked. Whatever the cause (an outage, a
 * 5xx, or a 404 a person must fix), the rollout stays pending and retries with backoff; the
 * message is shown on the rollout.
 * @public
 */
export class TrafficRouterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrafficRouterError';
  }
}

/**
 * Makes the router for one model's traffic target. A Model's policy names an adopter's router as
 * `rollout.traffic: { kind: plugin, name: <the name it was added under>, config: {...} }`; `config`
 * is passed as written (the factory checks it and throws TrafficRouterError when it is wrong).
 * @public
 */
export type TrafficRouterFactory = (target: { modelRef: string; config: Record<string, unknown> }) => TrafficRouter;
