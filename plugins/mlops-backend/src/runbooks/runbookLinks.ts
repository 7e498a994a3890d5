import { parseEntityRef } from '@backstage/catalog-model';
import { AlertKind } from '@modelrails/plugin-mlops-common';

/**
 * The portal path of a model's Runbooks tab, opened at a runbook or at the runbook an alert
 * links to (the page resolves `alert` with the model's own runbooks first).
 */
export function runbookPagePath(entityRef: string, open: { runbook: string } | { alert: AlertKind }): string {
  const { namespace, name } = parseEntityRef(entityRef);
  const [key, value] = 'runbook' in open ? ['runbook', open.runbook] : ['alert', open.alert];
  return `/catalog/${encodeURIComponent(namespace)}/model/${encodeURIComponent(name)}/runbooks?${key}=${encodeURIComponent(value)}`;
}
