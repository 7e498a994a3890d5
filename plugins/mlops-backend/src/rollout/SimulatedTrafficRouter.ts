import { TrafficRouter, TrafficSplit, Versions } from './TrafficRouter';

/**
 * The demo's router: splits held in memory per model, read by the simulated traffic to decide
 * which version answers each request. A restart forgets them; the engine then re-applies the
 * split it last verified.
 */
export class SimulatedTraffic {
  private readonly splits = new Map<string, TrafficSplit & Versions & { scaledDown: boolean }>();

  router(modelRef: string): TrafficRouter {
    return {
      describe: () => `simulated traffic of ${modelRef}`,
      read: async versions => {
        const split = this.splits.get(modelRef);
        return split && split.challenger === versions.challenger ? { weight: split.weight, mirrored: split.mirrored } : { weight: 0, mirrored: false };
      },
      apply: async (versions, split) => {
        this.splits.set(modelRef, { ...versions, ...split, scaledDown: false });
        return { weight: split.weight, mirrored: split.mirrored };
      },
      scaleDown: async versions => {
        const split = this.splits.get(modelRef);
        if (split && split.challenger === versions.challenger) split.scaledDown = true;
        return true;
      },
    };
  }

  /** The split the simulated traffic follows; undefined when no rollout moved this model's traffic. */
  splitOf(modelRef: string) {
    return this.splits.get(modelRef);
  }
}
