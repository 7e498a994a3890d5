import { ApiException, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { ModelPolicy } from '@modelrails/plugin-mlops-common';
import { RetrainTrigger } from '../telemetry/TelemetryStore';
import { RetrainAction as PluginRetrainAction } from '@modelrails/plugin-mlops-node';
import { describeKubernetesError } from '../kubernetes/kubeConfig';
import { NamedExtensions } from '../wiring';

type Target = NonNullable<ModelPolicy['retraining']['target']>;

/** A built-in retraining action: submit a workflow or call a webhook. */
export interface RetrainAction {
  submit(trigger: RetrainTrigger, target: Target): Promise<Record<string, unknown>>;
}

const BUILT_IN = ['argo-workflow', 'webhook'] as const;

/**
 * Every retraining action this backend knows: the built-in Argo Workflow submitter (when
 * Kubernetes is configured) and webhook caller, and those backend modules added through
 * `mlopsRetrainActionsExtensionPoint`, found by a policy's `retraining.target`.
 */
export class RetrainActions implements RetrainAction {
  private readonly added = new NamedExtensions<PluginRetrainAction>('Retraining action', BUILT_IN);

  constructor(private readonly builtIn: { argo?: RetrainAction; webhook: RetrainAction }) {}

  add(name: string, action: PluginRetrainAction) {
    this.added.add(name, action);
  }

  async submit(trigger: RetrainTrigger, target: Target) {
    if (target.kind === 'argo-workflow') {
      if (!this.builtIn.argo) throw new Error('no Kubernetes API is configured (mlops.kubernetes) to submit Argo Workflows');
      return this.builtIn.argo.submit(trigger, target);
    }
    if (target.kind === 'webhook') return this.builtIn.webhook.submit(trigger, target);
    const action = this.added.get(target.name);
    if (!action) throw new Error(`no backend module added a retraining action named "${target.name}"`);
    const { id, modelRef, reason, severity, approvalBeforeCanary, details } = trigger;
    return action.submit({ id, modelRef, reason, severity, approvalBeforeCanary, details }, target.config);
  }
}

const RETRIES = 3;
const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));
const retryable = (code: number) => code === 429 || code >= 500;

/** Parameters every retraining workflow receives. */
export function workflowParameters(trigger: RetrainTrigger) {
  return [
    { name: 'model', value: trigger.modelRef },
    { name: 'reason', value: trigger.reason },
    { name: 'severity', value: trigger.severity },
    { name: 'trigger-id', value: trigger.id },
    // Versions a drift trigger produces wait for a person before any canary.
    { name: 'require-approval', value: String(trigger.approvalBeforeCanary) },
  ];
}

/**
 * Submits an Argo Workflow that runs a WorkflowTemplate (argoproj.io/v1alpha1 workflows), through
 * the Kubernetes API. 429 and 5xx are retried with backoff; anything else fails the trigger.
 */
export class ArgoWorkflowSubmitter implements RetrainAction {
  private readonly api: CustomObjectsApi;

  constructor(kubeConfig: KubeConfig, private readonly backoffMs = 500) {
    this.api = kubeConfig.makeApiClient(CustomObjectsApi);
  }

  async submit(trigger: RetrainTrigger, target: Target) {
    if (target.kind !== 'argo-workflow') throw new Error(`not an Argo Workflow target: ${target.kind}`);
    const body = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Workflow',
      metadata: {
        generateName: `${target.workflowTemplate}-`,
        namespace: target.namespace,
        labels: {
          'modelrails.io/trigger-id': trigger.id,
          'modelrails.io/reason': trigger.reason,
          'workflows.argoproj.io/workflow-template': target.workflowTemplate,
        },
      },
      spec: {
        workflowTemplateRef: { name: target.workflowTemplate },
        arguments: { parameters: workflowParameters(trigger) },
      },
    };
    for (let attempt = 1; ; attempt++) {
      try {
        const created = await this.api.createNamespacedCustomObject({
          group: 'argoproj.io',
          version: 'v1alpha1',
          namespace: target.namespace,
          plural: 'workflows',
          body,
        });
        return { kind: 'argo-workflow', namespace: target.namespace, workflow: created.metadata?.name, uid: created.metadata?.uid };
      } catch (error) {
        const code = error instanceof ApiException ? error.code : 0;
        if (attempt < RETRIES && (code === 0 || retryable(code))) {
          await sleep(this.backoffMs * 2 ** (attempt - 1));
          continue;
        }
        const message = error instanceof ApiException ? describeKubernetesError(error) : (error as Error).message;
        throw new Error(`Kubernetes refused the workflow for ${target.namespace}/${target.workflowTemplate}: ${message}`);
      }
    }
  }
}

/** POSTs the trigger as JSON; 429 and 5xx are retried, other non-2xx answers fail the trigger. */
export class WebhookCaller implements RetrainAction {
  constructor(private readonly backoffMs = 500) {}

  async submit(trigger: RetrainTrigger, target: Target) {
    if (target.kind !== 'webhook') throw new Error(`not a webhook target: ${target.kind}`);
    const payload = {
      trigger: { id: trigger.id, model: trigger.modelRef, reason: trigger.reason, severity: trigger.severity, requireApprovalBeforeCanary: trigger.approvalBeforeCanary },
      details: trigger.details,
    };
    for (let attempt = 1; ; attempt++) {
      let response: Response | undefined;
      try {
        response = await fetch(target.url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(payload) });
      } catch (error) {
        if (attempt < RETRIES) {
          await sleep(this.backoffMs * 2 ** (attempt - 1));
          continue;
        }
        throw new Error(`webhook ${target.url} unreachable: ${(error as Error).message}`);
      }
      if (response.ok) return { kind: 'webhook', url: target.url, status: response.status };
      if (attempt < RETRIES && retryable(response.status)) {
        await sleep(this.backoffMs * 2 ** (attempt - 1));
        continue;
      }
      throw new Error(`webhook ${target.url} answered ${response.status}`);
    }
  }
}
