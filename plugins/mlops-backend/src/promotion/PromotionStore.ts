import { Promotion, PromotionEvidence, PromotionStatus } from '@modelrails/plugin-mlops-common';

export type Decision =
  | { outcome: 'approved'; by: string; reason: string; evidence: PromotionEvidence; expiresAt: Date; overrideReason?: string }
  | { outcome: 'rejected'; by: string; reason: string };

/** A request for a version to be promoted to an environment. */
export type NewPromotionRequest = {
  modelRef: string;
  version: string;
  environment: string;
  requestedBy: string;
  reason?: string;
  now?: Date;
};

/**
 * Promotion requests. Each state change and its audit row commit together; a request gets
 * exactly one terminal decision, however many arrive at once.
 */
export interface PromotionStore {
  /** ConflictError when the version already has a pending request for the environment; NotFoundError for an unknown version. */
  request(input: NewPromotionRequest): Promise<Promotion>;
  get(id: string): Promise<Promotion | undefined>;
  list(filter: { status?: PromotionStatus; modelRef?: string; limit?: number }): Promise<Promotion[]>;
  /** ConflictError when the request was decided meanwhile. */
  decide(id: string, decision: Decision, now?: Date): Promise<Promotion>;
  /** Ends approvals and pending requests past their expiry; answers how many ended. */
  expireDue(now?: Date): Promise<number>;
}
