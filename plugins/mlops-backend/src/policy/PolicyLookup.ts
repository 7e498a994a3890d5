import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { ModelPolicy } from '@modelrails/plugin-mlops-common';
import { isTransientCatalogError } from './catalogRetry';
import { readModelEntity } from './ModelPolicyService';

/** A Model's resolved policy, or undefined when the catalog does not know the Model. */
export type PolicyLookup = (modelRef: string) => Promise<ModelPolicy | undefined>;

/** How long one catalog read of a policy is reused by every concern in the process. */
export const POLICY_READ_MS = 5_000;
/** How old a policy may be that is answered while the catalog cannot be reached. */
export const LAST_KNOWN_POLICY_MS = 30 * 60_000;

/**
 * Reads Models' resolved policies from the catalog on the plugin's own authority. Built once per
 * plugin and shared by every concern: reads of one Model within {@link POLICY_READ_MS} share one
 * catalog request (gates, rollouts, telemetry and the drift monitor all ask per model).
 */
export function catalogPolicyLookup(catalog: CatalogService, auth: AuthService, now: () => number = Date.now, logger?: LoggerService): PolicyLookup {
  const reads = new Map<string, { at: number; policy: Promise<ModelPolicy | undefined> }>();
  // The last policy read of each Model: answered when the catalog cannot be reached (after retries),
  // so ingestion, rollouts and the monitors keep working through a catalog outage.
  const lastKnown = new Map<string, { at: number; policy: ModelPolicy | undefined }>();
  return modelRef => {
    const time = now();
    const kept = reads.get(modelRef);
    if (kept && time - kept.at <= POLICY_READ_MS) return kept.policy;
    if (reads.size >= 1_000) {
      for (const [key, read] of reads) if (time - read.at > POLICY_READ_MS) reads.delete(key);
    }
    const policy = (async () => {
      try {
        const found = (await readModelEntity(catalog, modelRef, await auth.getOwnServiceCredentials())).spec.policy;
        lastKnown.set(modelRef, { at: now(), policy: found });
        return found;
      } catch (e) {
        if (e instanceof NotFoundError) {
          lastKnown.delete(modelRef);
          return undefined;
        }
        const known = lastKnown.get(modelRef);
        if (known && now() - known.at <= LAST_KNOWN_POLICY_MS && isTransientCatalogError(e)) {
          logger?.warn(`Catalog unreachable for ${modelRef} (${(e as Error).message}); using its policy read ${Math.round((now() - known.at) / 1000)} s ago`);
          return known.policy;
        }
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
