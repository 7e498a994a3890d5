import { RetrainTriggerView } from '@modelrails/plugin-mlops-common';

/** A retraining trigger as an action receives it. @public */
export type RetrainRequest = Pick<RetrainTriggerView, 'id' | 'modelRef' | 'reason' | 'severity' | 'approvalBeforeCanary' | 'details'>;

/**
 * What a retraining trigger does: submit a workflow, call a webhook, open a ticket. Answers what it
 * did (kept on the trigger, shown in the portal); throws to mark the trigger failed with the
 * error's message. A Model's policy names an adopter's action as
 * `retraining.target: { kind: plugin, name: <the name it was added under>, config: {...} }`.
 * @public
 */
export interface RetrainAction {
  submit(request: RetrainRequest, config: Record<string, unknown>): Promise<Record<string, unknown>>;
  /**
   * Where the run `submit` started stands now, read from the system that runs it; undefined when
   * the action cannot tell (a webhook). Called about once a minute until `finished`.
   */
  follow?(submitted: Record<string, unknown>, config: Record<string, unknown>): Promise<RetrainRun | undefined>;
}

/** A submitted retraining run as its system reports it. @public */
export type RetrainRun = {
  /** The system's own word, e.g. an Argo Workflow's `Pending`, `Running`, `Succeeded`, `Failed`, `Error`. */
  phase: string;
  message?: string;
  /** True once the phase is final. */
  finished: boolean;
};
