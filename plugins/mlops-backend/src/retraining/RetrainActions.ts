import { ApiException, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { ModelPolicy } from '@modelrails/plugin-mlops-common';
import { RetrainTrigger } from '../telemetry/TelemetryStore';
import { RetrainAction, RetrainRequest, RetrainRun } from '@modelrails/plugin-mlops-node';
import { describeKubernetesError } from '../kubernetes/kubeConfig';
import { NamedExtensions } from '../wiring';
import { OutboundHosts } from '../outbound/OutboundHosts';

type Target = NonNullable<ModelPolicy['retraining']['target']>;
type ArgoTarget = Extract<Target, { kind: 'argo-workflow' }>;
type WebhookTarget = Extract<Target, { kind: 'webhook' }>;

/**
 * Every retraining action this backend knows, by the name a policy's `retraining.target` gives:
 * the built-in `argo-workflow` (when Kubernetes is configured) and `webhook` are registered exactly
 * as backend modules register theirs through `mlopsRetrainActionsExtensionPoint`.
 */
export class RetrainActions {
  private readonly actions = new NamedExtensions<RetrainAction>('Retraining action');

  constructor(builtIn: { argo?: RetrainAction; webhook: RetrainAction }) {
    const { argo, webhook } = builtIn;
    this.actions.addBuiltIn(
      'argo-workflow',
      argo ?? {
        submit: async () => {
          throw new Error('no Kubernetes API is configured (mlops.kubernetes) to submit Argo Workflows');
        },
      },
    );
    this.actions.addBuiltIn('webhook', webhook);
  }

  add(name: string, action: RetrainAction) {
    this.actions.add(name, action);
  }

  async submit(trigger: RetrainTrigger, target: Target) {
    // Built-in targets are written flat in the policy; a module's action gets its `config` block.
    const [name, config] = target.kind === 'plugin' ? [target.name, target.config] : [target.kind, target as Record<string, unknown>];
    const action = this.actions.get(name);
    if (!action) throw new Error(`no backend module added a retraining action named "${name}"`);
    const { id, modelRef, reason, severity, approvalBeforeCanary, details } = trigger;
    return action.submit({ id, modelRef, reason, severity, approvalBeforeCanary, details }, config);
  }

  /** Where a submitted trigger's run stands, when its action can tell. */
  async follow(submitted: Record<string, unknown>, target: Target): Promise<RetrainRun | undefined> {
    const [name, config] = target.kind === 'plugin' ? [target.name, target.config] : [target.kind, target as Record<string, unknown>];
    return this.actions.get(name)?.follow?.(submitted, config);
  }
}

/** Argo Workflows' final phases (workflow.status.phase); Pending and Running are not. */
const FINAL_PHASES = new Set(['Succeeded', 'Failed', 'Error']);

const RETRIES = 3;
const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));
const retryable = (code: number) => code === 429 || code >= 500;

/** Parameters every retraining workflow receives. */
export function workflowParameters(trigger: RetrainRequest) {
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

  async submit(trigger: RetrainRequest, config: Record<string, unknown>) {
    const target = config as ArgoTarget;
    const template = (target.workflowTemplate ?? target.clusterWorkflowTemplate)!;
    const extra = Object.entries(target.parameters ?? {}).map(([name, value]) => ({ name, value }));
    const body = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Workflow',
      metadata: {
        generateName: `${template}-`,
        namespace: target.namespace,
        labels: {
          'modelrails.io/trigger-id': trigger.id,
          'modelrails.io/reason': trigger.reason,
          // The labels Argo's own submit-from-template sets.
          ...(target.workflowTemplate
            ? { 'workflows.argoproj.io/workflow-template': template }
            : { 'workflows.argoproj.io/cluster-workflow-template': template }),
        },
      },
      spec: {
        workflowTemplateRef: target.workflowTemplate ? { name: template } : { name: template, clusterScope: true },
        ...(target.entrypoint ? { entrypoint: target.entrypoint } : {}),
        arguments: { parameters: [...extra, ...workflowParameters(trigger)] },
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
        throw new Error(`Kubernetes refused the workflow for ${target.namespace}/${template}: ${message}`);
      }
    }
  }

  /** The Workflow's `status.phase` and `status.message`; a Workflow deleted before it finished is reported as such. */
  async follow(submitted: Record<string, unknown>): Promise<RetrainRun | undefined> {
    const { namespace, workflow } = submitted as { namespace?: string; workflow?: string };
    if (!namespace || !workflow) return undefined;
    try {
      const found = (await this.api.getNamespacedCustomObject({ group: 'argoproj.io', version: 'v1alpha1', namespace, plural: 'workflows', name: workflow })) as {
        status?: { phase?: string; message?: string };
      };
      const phase = typeof found.status?.phase === 'string' && found.status.phase ? found.status.phase : 'Pending';
      const message = typeof found.status?.message === 'string' && found.status.message ? found.status.message : undefined;
      return { phase, ...(message ? { message } : {}), finished: FINAL_PHASES.has(phase) };
    } catch (error) {
      if (error instanceof ApiException && error.code === 404) {
        return { phase: 'Deleted', message: `Workflow ${namespace}/${workflow} no longer exists`, finished: true };
      }
      throw error;
    }
  }
}

/**
 * POSTs the trigger as JSON to an allowed host (never following a redirect elsewhere); 429 and 5xx
 * are retried, other non-2xx answers fail the trigger.
 */
export class WebhookCaller implements RetrainAction {
  constructor(
    private readonly outbound: OutboundHosts,
    private readonly backoffMs = 500,
  ) {}

  async submit(trigger: RetrainRequest, config: Record<string, unknown>) {
    const target = config as WebhookTarget;
    this.outbound.check(target.url, 'retraining webhook');
    const payload = {
      trigger: { id: trigger.id, model: trigger.modelRef, reason: trigger.reason, severity: trigger.severity, requireApprovalBeforeCanary: trigger.approvalBeforeCanary },
      details: trigger.details,
    };
    for (let attempt = 1; ; attempt++) {
      let response: Response | undefined;
      try {
        response = await fetch(target.url, { method: 'POST', redirect: 'manual', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(payload) });
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
      const redirect = response.status >= 300 && response.status < 400 ? ' (a redirect: not followed)' : '';
      throw new Error(`webhook ${target.url} answered ${response.status}${redirect}`);
    }
  }
}
