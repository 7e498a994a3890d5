import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import express from 'express';
import { TelemetryMetrics } from '../metrics/MlopsMetrics';
import { ModelPolicyService } from '../policy/ModelPolicyService';
import { RouteContext } from '../router/router';
import { RunbookService } from '../runbooks/RunbookService';
import { alertRuleFile, AlertRuleModel, AlertRuleOptions } from './alertRules';

/** Prometheus' side: the metrics endpoint and the alert rules that read it, with runbook links. */
export function alertRoutes(
  { router, reader }: RouteContext,
  deps: {
    metrics: TelemetryMetrics;
    policies: ModelPolicyService;
    runbooks: RunbookService;
    /** Where the portal serves runbook pages (alert rules link to them). */
    portalBaseUrl: string;
    rules: AlertRuleOptions;
  },
) {
  const { metrics, policies, runbooks, portalBaseUrl, rules } = deps;

  router.get('/metrics', async (req, res) => {
    await reader(req);
    res.setHeader('Content-Type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });

  const ruleModel = async (model: Omit<AlertRuleModel, 'runbookIds'>, credentials: BackstageCredentials): Promise<AlertRuleModel> => {
    const { namespace, name } = parseEntityRef(model.entityRef);
    return { ...model, runbookIds: (await runbooks.list({ namespace, name }, credentials)).byAlert };
  };
  const sendRules = (res: express.Response, models: AlertRuleModel[]) => {
    res.setHeader('Content-Type', 'application/yaml; charset=utf-8');
    res.send(alertRuleFile(models, portalBaseUrl, rules));
  };

  router.get('/alert-rules', async (req, res) => {
    const caller = await reader(req);
    const models = await policies.listModels(caller);
    sendRules(res, await Promise.all(models.map(m => ruleModel(m, caller))));
  });

  router.get('/models/:namespace/:name/alert-rules', async (req, res) => {
    const caller = await reader(req);
    const model = await policies.getPolicy(req.params, caller);
    sendRules(res, [await ruleModel({ entityRef: model.entityRef, title: model.title ?? req.params.name, policy: model.policy }, caller)]);
  });
}
