import { NotFoundError } from '@backstage/errors';
import { GateSummary, ModelPolicy, ModelVersion } from '@modelrails/plugin-mlops-common';
import { createHash } from 'node:crypto';
import { evaluateGates } from './evaluateGates';

/** What gates read of the registry, and where they keep their results (the registry store). */
export type GateRecords = {
  getVersion(modelRef: string, version: string): Promise<ModelVersion | undefined>;
  listVersions(modelRef: string): Promise<ModelVersion[]>;
  /** Versions that held the champion alias, most recent first, each once. */
  promotedVersions(modelRef: string, limit: number): Promise<ModelVersion[]>;
  recordGateEvaluation(modelRef: string, version: string, summary: GateSummary, actorRef: string): Promise<void>;
};

/** JSON with object keys sorted, so equal policies give equal digests whatever their key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    return `{${entries.sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** sha256 of the policy's gates: what a gate evaluation's verdict depends on besides the versions. */
export function gatesDigest(policy: ModelPolicy): string {
  return createHash('sha256').update(canonicalJson(policy.gates)).digest('hex');
}

/** The champion a version is judged against: the version holding the alias, unless it is that version. */
export function championFor(versions: ModelVersion[], version: string): ModelVersion | undefined {
  return versions.find(v => v.aliases.includes('champion') && v.version !== version);
}

/**
 * Why a version's gate results no longer stand: they were judged against another champion or
 * another policy than the current ones. Undefined when they are current (or never ran).
 */
export function staleness(summary: GateSummary | undefined, current: { champion?: string; digest: string }): string | undefined {
  if (!summary) return undefined;
  const was = summary.champion ?? null;
  const now = current.champion ?? null;
  if (was !== now) return `they were judged against ${was ? `champion v${was}` : 'no champion'}, and ${now ? `v${now}` : 'no version'} is champion now`;
  if (summary.policyDigest !== current.digest) return 'the policy\'s gates changed since they ran';
  return undefined;
}

/** Runs a model's validation gates on its versions and keeps the results. */
export interface GateService {
  evaluate(modelRef: string, version: string, trigger: GateSummary['trigger'], actorRef: string): Promise<GateSummary>;
  /** Evaluates every version of the given models that has never been evaluated. */
  evaluatePending(modelRefs: string[], actorRef: string): Promise<number>;
  /**
   * Runs the gates again on the candidates (versions newer than the champion) whose results were
   * judged against another champion or policy. Answers how many ran.
   */
  refreshStale(modelRefs: string[], actorRef: string): Promise<number>;
  /** Why a version's results no longer stand (undefined when current). */
  stalenessOf(modelRef: string, version: ModelVersion): Promise<string | undefined>;
}

export class DefaultGateService implements GateService {
  constructor(
    private readonly registry: GateRecords,
    /** The resolved policy of a Model entity, or undefined when the catalog does not know it. */
    private readonly policyOf: (modelRef: string) => Promise<ModelPolicy | undefined>,
  ) {}

  private async requirePolicy(modelRef: string) {
    const policy = await this.policyOf(modelRef);
    if (!policy) throw new NotFoundError(`No Model entity ${modelRef}`);
    return policy;
  }

  async evaluate(modelRef: string, version: string, trigger: GateSummary['trigger'], actorRef: string) {
    const policy = await this.requirePolicy(modelRef);
    const candidate = await this.registry.getVersion(modelRef, version);
    if (!candidate) {
      throw new NotFoundError(`No version ${version} of ${modelRef}`);
    }
    const versions = await this.registry.listVersions(modelRef);
    const champion = championFor(versions, version);
    const window = Math.max(0, ...policy.gates.map(g => (g.kind === 'baseline-relative' ? g.window : 0)));
    const promoted = window
      ? (await this.registry.promotedVersions(modelRef, window + 1)).filter(v => v.version !== version).slice(0, window)
      : [];
    const { passed, results } = evaluateGates(policy.gates, { version: candidate, champion, promoted });
    const summary: GateSummary = {
      evaluatedAt: new Date().toISOString(),
      trigger,
      passed,
      champion: champion?.version ?? null,
      policyDigest: gatesDigest(policy),
      results,
    };
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

  async refreshStale(modelRefs: string[], actorRef: string) {
    let refreshed = 0;
    for (const modelRef of modelRefs) {
      const policy = await this.policyOf(modelRef);
      if (!policy) continue;
      const digest = gatesDigest(policy);
      const versions = await this.registry.listVersions(modelRef);
      const champion = versions.find(v => v.aliases.includes('champion'));
      // Candidates only: older versions keep the verdict of their own time.
      const candidates = champion ? versions.filter(v => v.createdAt > champion.createdAt) : versions;
      for (const v of candidates) {
        if (staleness(v.gates, { champion: championFor(versions, v.version)?.version, digest })) {
          await this.evaluate(modelRef, v.version, 'refresh', actorRef);
          refreshed++;
        }
      }
    }
    return refreshed;
  }

  async stalenessOf(modelRef: string, version: ModelVersion) {
    const policy = await this.requirePolicy(modelRef);
    const versions = await this.registry.listVersions(modelRef);
    return staleness(version.gates, { champion: championFor(versions, version.version)?.version, digest: gatesDigest(policy) });
  }
}
