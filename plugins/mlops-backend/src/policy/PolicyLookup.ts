import { AuthService } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { ModelPolicy } from '@modelrails/plugin-mlops-common';
import { readModelEntity } from './ModelPolicyService';

/** A Model's resolved policy, or undefined when the catalog does not know the Model. */
export type PolicyLookup = (modelRef: string) => Promise<ModelPolicy | undefined>;

/** How long one catalog read of a policy is reused by every concern in the process. */
export const POLICY_READ_MS = 5_000;

/**
 * Reads Models' resolved policies from the catalog on the plugin's own authority. Built once per
 * plugin and shared by every concern: reads of one Model within {@link POLICY_READ_MS} share one
 * catalog request (gates, rollouts, telemetry and the drift monitor all ask per model).
 */
export function catalogPolicyLookup(catalog: CatalogService, auth: AuthService, now: () => number = Date.now): PolicyLookup {
  const reads = new Map<string, { at: number; policy: Promise<ModelPolicy | undefined> }>();
  return modelRef => {
    const time = now();
    const kept = reads.get(modelRef);
    if (kept && time - kept.at <= POLICY_READ_MS) return kept.policy;
    if (reads.size >= 1_000) {
      for (const [key, read] of reads) if (time - read.at > POLICY_READ_MS) reads.delete(key);
    }
    const policy = (async () => {
      try {
        return (await readModelEntity(catalog, modelRef, await auth.getOwnServiceCredentials())).spec.policy;
      } catch (e) {
        if (e instanceof NotFoundError) return undefined;
        throw e;
      }
    })();
    const read = { at: time, policy };
    reads.set(modelRef, read);
    // A failed read (the catalog unreachable) is not kept.
    policy.catch(() => reads.get(modelRef) === read && reads.delete(modelRef));
    return policy;
  };
}
