import { ModelPolicy } from '@modelrails/plugin-mlops-common';
import { TelemetryStore } from '../telemetry/TelemetryStore';
import { ScheduledTask } from '../wiring';
import { RetrainingTriggers } from './RetrainingTriggers';

/** Models that sent telemetry within this long are checked. */
const ACTIVE_WITHIN_MS = 8 * 86_400_000;

/** Every 5 minutes one replica checks each active model's schedule and matured-label performance. */
export function retrainingChecksTask(options: {
  store: Pick<TelemetryStore, 'activeModels'>;
  triggers: RetrainingTriggers;
  policyOf(modelRef: string): Promise<ModelPolicy | undefined>;
}): ScheduledTask {
  return {
    id: 'mlops-retraining-checks',
    scope: 'global',
    frequency: { minutes: 5 },
    timeout: { minutes: 5 },
    fn: async () => {
      for (const modelRef of await options.store.activeModels(Date.now() - ACTIVE_WITHIN_MS)) {
        const policy = await options.policyOf(modelRef);
        if (!policy) continue;
        await options.triggers.checkSchedule(modelRef, policy);
        await options.triggers.checkPerformance(modelRef, policy);
      }
    },
  };
}

/** Every minute one replica reads where submitted retraining runs stand (an Argo Workflow's phase). */
export function retrainingRunsTask(options: { triggers: RetrainingTriggers; policyOf(modelRef: string): Promise<ModelPolicy | undefined> }): ScheduledTask {
  return {
    id: 'mlops-retraining-runs',
    scope: 'global',
    frequency: { minutes: 1 },
    timeout: { minutes: 2 },
    fn: async () => {
      await options.triggers.followRuns(options.policyOf);
    },
  };
}
