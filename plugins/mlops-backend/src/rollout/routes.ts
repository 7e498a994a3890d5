import { AuthService, BackstageCredentials } from '@backstage/backend-plugin-api';
import { AuthenticationError } from '@backstage/errors';
import { mlopsReadPermission, mlopsRolloutActionPermissions } from '@modelrails/plugin-mlops-common';
import express from 'express';
import { principalRef } from '../registry/RegistryService';
import { modelRefOf, RouteContext } from '../router/router';
import { seriesWindow } from '../router/queries';
import { ModelPolicyService } from '../policy/ModelPolicyService';
import { CanaryJudge, JudgeRequest } from './CanaryJudge';
import { ManualAction } from './RolloutEngine';
import { RolloutService } from './RolloutService';

/** Judge parameters from a query string or Flagger metadata (both strings, validated by the spec). */
function judgeRequest(params: { namespace: string; name: string }, p: Record<string, unknown>): JudgeRequest {
  const text = (key: string) => (typeof p[key] === 'string' ? (p[key] as string) : undefined);
  const minSamples = text('minSamples');
  return {
    modelRef: modelRefOf(params),
    champion: text('champion'),
    challenger: text('challenger'),
    window: text('window'),
    since: text('since'),
    minSamples: minSamples === undefined ? undefined : Number(minSamples),
  };
}

/**
 * Rollouts (read, and a person's actions, each behind its own permission), the canary judge for
 * Argo Rollouts (web metric) and Flagger (webhook), and a model's events for annotations.
 */
export function rolloutRoutes(
  http: RouteContext,
  deps: { rollouts: RolloutService; judge: CanaryJudge; policies: ModelPolicyService; auth: AuthService },
) {
  const { router, reader, credentials, authorize, audited } = http;
  const { rollouts, judge, policies, auth } = deps;

  router.get('/models/:namespace/:name/rollouts', async (req, res) => {
    await reader(req);
    res.json({ items: await rollouts.list(modelRefOf(req.params)) });
  });

  router.get('/rollouts/:id', async (req, res) => {
    await reader(req);
    res.json(await rollouts.detail(req.params.id));
  });

  router.post('/rollouts/:id/:action', async (req, res) => {
    const caller = await credentials(req);
    const action = req.params.action as ManualAction;
    const modelRef = await rollouts.modelOf(req.params.id);
    await authorize(caller, mlopsRolloutActionPermissions[action], modelRef);
    const reason = typeof req.body?.reason === 'string' ? req.body.reason : '';
    res.json(await audited(req, `rollout-${action}`, { rollout: req.params.id, model: modelRef }, () => rollouts.act(req.params.id, action, principalRef(caller), reason)));
  });

  router.get('/models/:namespace/:name/events', async (req, res) => {
    const caller = await reader(req);
    const model = await policies.getPolicy(req.params, caller);
    const { from, to } = seriesWindow(req.query, '7d');
    res.json({ items: await rollouts.events(model.entityRef, from, to) });
  });

  router.get('/judge/models/:namespace/:name', async (req, res) => {
    await reader(req);
    res.json(await judge.judge(judgeRequest(req.params, req.query)));
  });

  /** Flagger cannot send headers: its webhook carries the token in its metadata. */
  const flaggerCaller = async (req: express.Request, metadata: Record<string, unknown>): Promise<BackstageCredentials> => {
    if (req.headers.authorization) return credentials(req);
    if (typeof metadata.token === 'string') {
      return auth.authenticate(metadata.token).catch(() => {
        throw new AuthenticationError('metadata.token: not a valid Backstage token');
      });
    }
    throw new AuthenticationError('Missing credentials: an Authorization header or metadata.token (Flagger webhooks cannot send headers)');
  };

  router.post('/judge/flagger/models/:namespace/:name', async (req, res) => {
    const metadata: Record<string, unknown> = { ...req.body.metadata };
    await authorize(await flaggerCaller(req, metadata), mlopsReadPermission);
    const verdict = await judge.judge(judgeRequest(req.params, metadata));
    // Flagger reads only the status: anything but a pass must not look like success.
    res.status(verdict.verdict === 'pass' ? 200 : 412).json(verdict);
  });
}
