import express from 'express';
import { ModelPolicyService } from '../policy/ModelPolicyService';
import { AnswerCache } from '../router/AnswerCache';
import { optionalString, optionalWindow, seriesWindow } from '../router/queries';
import { modelRefOf, RouteContext } from '../router/router';
import { ALL_TRAFFIC } from '../telemetry/constants';
import { DriftService } from './DriftService';

/** `all` (or absent) is all traffic; anything else is tag=value, checked by the drift service. */
const segmentOf = (query: express.Request['query']) => (!query.segment || query.segment === 'all' ? ALL_TRAFFIC : String(query.segment));

/** A drift report, its series over time (Grafana's drift panel) and one feature's distributions. */
export function driftRoutes(
  { router, reader }: RouteContext,
  deps: {
    drift: DriftService;
    policies: ModelPolicyService;
    /** Changes whenever a commit touches the model's telemetry: cached answers older than it are stale. */
    generation(modelRef: string): number;
  },
) {
  const { drift, policies, generation } = deps;
  // Every viewer of a dashboard asks the same aligned window (the Grafana data source aligns to
  // 5 minutes): one answer per window until the model's telemetry changes, 10 s at most.
  const seriesAnswers = new AnswerCache({ maxEntries: 64, maxAgeMs: 10_000 });

  router.get('/models/:namespace/:name/drift', async (req, res) => {
    await reader(req);
    res.json(await drift.report(modelRefOf(req.params), { version: optionalString(req.query.version), ...optionalWindow(req.query) }));
  });

  router.get('/models/:namespace/:name/drift/series', async (req, res) => {
    const caller = await reader(req);
    const model = await policies.getPolicy(req.params, caller);
    const asked = { ...seriesWindow(req.query, '24h'), version: optionalString(req.query.version), segment: segmentOf(req.query) };
    await seriesAnswers.send(req, res, JSON.stringify([model.entityRef, asked]), generation(model.entityRef), () => drift.series(model.entityRef, asked));
  });

  router.get('/models/:namespace/:name/drift/distribution', async (req, res) => {
    const caller = await reader(req);
    const model = await policies.getPolicy(req.params, caller);
    res.json(
      await drift.distribution(model.entityRef, {
        feature: String(req.query.feature),
        version: optionalString(req.query.version),
        segment: segmentOf(req.query),
        ...optionalWindow(req.query),
      }),
    );
  });
}
