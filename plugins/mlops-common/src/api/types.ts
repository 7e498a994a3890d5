import { ModelPolicy } from '../model/policy';
import { PolicySection } from '../model/describePolicy';

/** A Model's policy with defaults resolved, and the same policy in words (GET /models/{ns}/{name}/policy). @public */
export type ModelPolicyView = {
  entityRef: string;
  title?: string;
  type: string;
  lifecycle: string;
  policy: ModelPolicy;
  sections: PolicySection[];
};
