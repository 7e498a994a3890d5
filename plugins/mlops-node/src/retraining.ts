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
}
