import { InputError, NotFoundError } from '@backstage/errors';
import { JudgeVerdict, ModelPolicy, parseDuration, RolloutCheck } from '@modelrails/plugin-mlops-common';
import { RegistryStore } from '../registry/RegistryStore';
import { armChecks } from './analysis';
import { CanaryMetricsSource } from './CanaryMetrics';
import { BUCKET_MS } from '../telemetry/constants';

/** What a caller (an Argo Rollouts AnalysisRun, a Flagger webhook) asks about. */
export type JudgeRequest = {
  modelRef: string;
  /** Defaults to the version holding the `champion` alias. */
  champion?: string;
  /** Defaults to the version holding the `challenger` alias. */
  challenger?: string;
  /** The last `window` up to now (default 15m)… */
  window?: string;
  /** …or everything since this time (ISO 8601), e.g. when the canary step began. */
  since?: string;
  /** Predictions each version needs before a verdict (default: the policy's first step's). */
  minSamples?: number;
};

export interface CanaryJudge {
  judge(request: JudgeRequest, now?: number): Promise<JudgeVerdict>;
}

const DEFAULT_WINDOW = '15m';
/** Raw events, which the KPI is counted from, are kept for a week. */
const MAX_WINDOW_MS = 7 * 86_400_000;

/** The verdict an external controller acts on: anything short of every check passing is not a pass. */
export function judgeVerdictOf(checks: RolloutCheck[]): JudgeVerdict['verdict'] {
  if (checks.some(c => c.verdict === 'fail')) return 'fail';
  return checks.every(c => c.verdict === 'pass') ? 'pass' : 'inconclusive';
}

/**
 * Our statistical canary test for controllers that move traffic themselves: the same checks the
 * rollout engine runs on a step, over a window the caller names, on the telemetry both versions sent.
 */
export class DefaultCanaryJudge implements CanaryJudge {
  constructor(
    private readonly options: {
      metrics: CanaryMetricsSource;
      registry: RegistryStore;
      policyOf(modelRef: string): Promise<ModelPolicy | undefined>;
      clock?: () => number;
    },
  ) {}

  private async versionsOf(request: JudgeRequest) {
    if (request.champion && request.challenger) return { champion: request.champion, challenger: request.challenger };
    const versions = await this.options.registry.listVersions(request.modelRef);
    const aliased = (alias: 'champion' | 'challenger') => versions.find(v => v.aliases.includes(alias))?.version;
    const champion = request.champion ?? aliased('champion');
    const challenger = request.challenger ?? aliased('challenger');
    if (!champion) throw new InputError(`champion: ${request.modelRef} has no version with the champion alias; name the version`);
    if (!challenger) throw new InputError(`challenger: ${request.modelRef} has no version with the challenger alias; name the version`);
    return { champion, challenger };
  }

  private windowOf(request: JudgeRequest, now: number) {
    if (request.since !== undefined && request.window !== undefined) throw new InputError('since: give either since or window, not both');
    let from: number;
    if (request.since !== undefined) {
      from = Date.parse(request.since);
      if (!/^\d{4}-\d{2}-\d{2}T/.test(request.since) || Number.isNaN(from)) throw new InputError(`since: "${request.since}" is not an ISO 8601 time`);
      if (from >= now) throw new InputError('since: must be in the past');
    } else {
      let length: number;
      try {
        length = parseDuration(request.window ?? DEFAULT_WINDOW);
      } catch {
        throw new InputError(`window: "${request.window}" is not a duration such as 15m or 2h`);
      }
      from = now - length;
    }
    if (now - from > MAX_WINDOW_MS) throw new InputError('window: at most 7 days (raw events are kept for a week)');
    return from;
  }

  async judge(request: JudgeRequest, now = (this.options.clock ?? Date.now)()): Promise<JudgeVerdict> {
    const policy = await this.options.policyOf(request.modelRef);
    if (!policy) throw new NotFoundError(`No Model entity ${request.modelRef}`);
    if (request.minSamples !== undefined && !(Number.isInteger(request.minSamples) && request.minSamples > 0)) {
      throw new InputError('minSamples: must be a positive integer');
    }
    const versions = await this.versionsOf(request);
    if (versions.champion === versions.challenger) throw new InputError(`challenger: v${versions.challenger} is also the champion; nothing to compare`);
    const from = this.windowOf(request, now);
    const kpiDefinition = policy.kpis.find(k => k.name === policy.rollout.analysis.kpi)!;
    // Telemetry is summarised per 5-minute bucket: only the buckets that begin within the window
    // are judged, so nothing from before `since` is (a window shorter than that judges nothing yet).
    const bucketsFrom = Math.ceil(from / BUCKET_MS) * BUCKET_MS;
    const { champion, challenger } = await this.options.metrics.arms(request.modelRef, versions, kpiDefinition, bucketsFrom, Math.max(bucketsFrom, now));
    const minSamples = request.minSamples ?? policy.rollout.steps[0].minSamples;
    const checks = armChecks({ ...policy.rollout, kpiDefinition }, minSamples, champion, challenger);
    return {
      verdict: judgeVerdictOf(checks),
      modelRef: request.modelRef,
      champion: versions.champion,
      challenger: versions.challenger,
      from: new Date(from).toISOString(),
      to: new Date(now).toISOString(),
      checks,
    };
  }
}
