import { RetrainActions } from './RetrainActions';

const trigger = {
  id: 't1',
  modelRef: 'model:default/home-feed-ranker',
  reason: 'drift' as const,
  severity: 'critical' as const,
  status: 'recorded' as const,
  approvalBeforeCanary: true,
  details: { features: ['item_price'] },
  action: null,
  createdAt: 0,
};

describe('RetrainActions', () => {
  const webhook = { submit: jest.fn(async () => ({ kind: 'webhook' })) };

  it('hands a plugin target to the action a module added, with the request and the config as written', async () => {
    const actions = new RetrainActions({ webhook });
    const submit = jest.fn(async () => ({ pipeline: 'run-42' }));
    actions.add('acme-ci', { submit });
    await expect(actions.submit(trigger, { kind: 'plugin', name: 'acme-ci', config: { project: 'ranker' } })).resolves.toEqual({ pipeline: 'run-42' });
    expect(submit).toHaveBeenCalledWith(
      { id: 't1', modelRef: 'model:default/home-feed-ranker', reason: 'drift', severity: 'critical', approvalBeforeCanary: true, details: { features: ['item_price'] } },
      { project: 'ranker' },
    );
    expect(webhook.submit).not.toHaveBeenCalled();
  });

  it('fails a trigger whose action nobody added, and Argo targets without Kubernetes, saying why', async () => {
    const actions = new RetrainActions({ webhook });
    await expect(actions.submit(trigger, { kind: 'plugin', name: 'missing', config: {} })).rejects.toThrow(/no backend module added a retraining action named "missing"/);
    await expect(actions.submit(trigger, { kind: 'argo-workflow', namespace: 'ml', workflowTemplate: 'train' })).rejects.toThrow(/mlops.kubernetes/);
  });

  it('refuses names that are built in or added twice', () => {
    const actions = new RetrainActions({ webhook });
    expect(() => actions.add('webhook', { submit: jest.fn() })).toThrow(/built in/);
    actions.add('acme-ci', { submit: jest.fn() });
    expect(() => actions.add('acme-ci', { submit: jest.fn() })).toThrow(/already added/);
  });
});
