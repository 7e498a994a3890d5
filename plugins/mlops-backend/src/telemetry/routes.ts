import { ServiceUnavailableError } from '@backstage/errors';
import { mlopsIngestPermission, mlopsRegisterPermission } from '@modelrails/plugin-mlops-common';
import { RegistryService } from '../registry/RegistryService';
import { modelRefOf, RouteContext } from '../router/router';
import { IngestKind, TelemetryService } from './TelemetryService';
import { ReferenceProfile } from './TelemetryStore';

/** A stored training profile as the API shows it: its features and their sample sizes. */
function profileSummary(profile: ReferenceProfile) {
  return {
    modelRef: profile.modelRef,
    version: profile.version,
    createdAt: new Date(profile.createdAt).toISOString(),
    features: profile.features.map(f => ({
      feature: f.feature,
      kind: f.kind,
      n: 'n' in f.summary ? f.summary.n : 0,
      ...(f.layout ? { layout: f.layout } : {}),
    })),
  };
}

/** Seconds a sender waits before retrying a batch that was not committed. */
const RETRY_AFTER_SECONDS = '5';

/** Ingestion from serving fleets (predictions, outcomes, profiles) and versions' training profiles. */
export function telemetryRoutes(
  { router, reader, credentials, authorize, audited }: RouteContext,
  deps: { telemetry: TelemetryService; registry: RegistryService },
) {
  const { telemetry, registry } = deps;
  for (const kind of ['predictions', 'outcomes', 'profiles'] as const satisfies readonly IngestKind[]) {
    router.post(`/telemetry/${kind}`, async (req, res) => {
      await authorize(await credentials(req), mlopsIngestPermission);
      try {
        res.json(await telemetry.ingest(kind, req.body));
      } catch (error) {
        if (error instanceof ServiceUnavailableError) res.setHeader('Retry-After', RETRY_AFTER_SECONDS);
        throw error;
      }
    });
  }

  router.put('/models/:namespace/:name/versions/:version/profile', async (req, res) => {
    const caller = await credentials(req);
    const modelRef = modelRefOf(req.params);
    await authorize(caller, mlopsRegisterPermission, modelRef);
    await registry.get(req.params, req.params.version);
    const profile = await audited(req, 'reference-profile-put', { modelRef, version: req.params.version }, () =>
      telemetry.putReferenceProfile(modelRef, req.params.version, req.body),
    );
    res.status(201).json(profileSummary(profile));
  });

  // Serving fleets bin their profiles with this: their ingest token may read it.
  router.get('/models/:namespace/:name/versions/:version/telemetry-layout', async (req, res) => {
    await authorize(await credentials(req), mlopsIngestPermission);
    res.json(await telemetry.telemetryLayout(modelRefOf(req.params), req.params.version));
  });

  router.get('/models/:namespace/:name/versions/:version/profile', async (req, res) => {
    await reader(req);
    res.json(profileSummary(await telemetry.referenceProfile(modelRefOf(req.params), req.params.version)));
  });
}
