import { NotFoundError } from '@backstage/errors';
import { GateSummary, ModelPolicy, ModelVersion } from '@modelrails/plugin-mlops-common';

/** What gates read of the registry, and where they keep their results (the registry store). */
export type GateRecords = {
  getVersion(modelRef: string, version: string): Promise<ModelVersion | undefined>;
  listVersions(modelRef: string): Promise<ModelVersion[]>;
  /** Versions that held the champion alias, most recent first, each once. */
  promotedVersions(modelRef: string, limit: number): Promise<ModelVersion[]>;
  recordGateEvaluation(modelRef: string, version: string, summary: GateSummary, actorRef: string): Promise<void>;
};
import { evaluateGates } from './evaluateGates';

/** Runs a model's validation gates on its versions and keeps the results. */
export interface GateService {
  evaluate(modelRef: string, version: string, trigger: GateSummary['trigger'], actorRef: string): Promise<GateSummary>;
  /** Evaluates every version of the given models that has never been evaluated. */
  evaluatePending(modelRefs: string[], actorRef: string): Promise<number>;
}

export class DefaultGateService implements GateService {
  constructor(
    private readonly registry: GateRecords,
    /** The resolved policy of a Model entity, or undefined when the catalog does not know it. */
    private readonly policyOf: (modelRef: string) => Promise<ModelPolicy | undefined>,
  ) {}

  async evaluate(modelRef: string, version: string, trigger: GateSummary['trigger'], actorRef: string) {
    const policy = await this.policyOf(modelRef);
    if (!policy) {
      throw new NotFoundError(`No Model entity ${modelRef}`);
    }
    const candidate = await this.registry.getVersion(modelRef, version);
    if (!candidate) {
      throw new NotFoundError(`No version ${version} of ${modelRef}`);
    }
    const versions = await this.registry.listVersions(modelRef);
    const champion = versions.find(v => v.aliases.includes('champion') && v.version !== version);
    const window = Math.max(0, ...policy.gates.map(g => (g.kind === 'baseline-relative' ? g.window : 0)));
    const promoted = window
      ? (await this.registry.promotedVersions(modelRef, window + 1)).filter(v => v.version !== version).slice(0, window)
      : [];
    const { passed, results } = evaluateGates(policy.gates, { version: candidate, champion, promoted });
    const summary: GateSummary = { evaluatedAt: new Date().toISOString(), trigger, passed, results };
    await this.registry.recordGateEvaluation(modelRef, version, summary, actorRef);
    return summary;
  }

  async evaluatePending(modelRefs: string[], actorRef: string) {
    let evaluated = 0;
    for (const modelRef of modelRefs) {
      const versions = await this.registry.listVersions(modelRef);
      // Oldest first, as they would have been judged when they arrived.
      for (const v of [...versions].reverse()) {
        if (!v.gates) {
          await this.evaluate(modelRef, v.version, 'registration', actorRef);
          evaluated++;
        }
      }
    }
    return evaluated;
  }
}
