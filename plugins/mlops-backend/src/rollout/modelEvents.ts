import { ModelEvent, Promotion, Rollout } from '@modelrails/plugin-mlops-common';

const ROLLOUT_ENDINGS: Partial<Record<Rollout['status'], { kind: ModelEvent['kind']; verb: string }>> = {
  succeeded: { kind: 'rollout-succeeded', verb: 'took all traffic' },
  'rolled-back': { kind: 'rollout-rolled-back', verb: 'rolled back' },
  aborted: { kind: 'rollout-aborted', verb: 'aborted' },
};

/** A model's promotions and rollouts as events in [from, to), oldest first. */
export function modelEvents(promotions: Promotion[], rollouts: Rollout[], from: number, to: number): ModelEvent[] {
  const events: ModelEvent[] = [];
  for (const p of promotions) {
    const link = { kind: 'promotion' as const, id: p.id };
    events.push({
      at: p.requestedAt,
      kind: 'promotion-requested',
      version: p.version,
      title: `Promotion of v${p.version} to ${p.environment} requested`,
      text: p.requestReason ?? '',
      actor: p.requestedBy,
      link,
    });
    if (p.decidedAt && (p.status === 'approved' || p.status === 'rejected')) {
      events.push({
        at: p.decidedAt,
        kind: p.status === 'approved' ? 'promotion-approved' : 'promotion-rejected',
        version: p.version,
        title: `v${p.version} ${p.status === 'approved' ? 'approved' : 'rejected'} for ${p.environment}${p.override ? ' (gates overridden)' : ''}`,
        text: p.decisionReason ?? p.override?.reason ?? '',
        actor: p.decidedBy ?? null,
        link,
      });
    }
  }
  for (const r of rollouts) {
    const link = { kind: 'rollout' as const, id: r.id };
    events.push({
      at: r.createdAt,
      kind: 'rollout-started',
      version: r.version,
      title: `Rollout of v${r.version} started${r.champion ? ` (champion v${r.champion})` : ''}`,
      text: r.target,
      actor: null,
      link,
    });
    const ending = ROLLOUT_ENDINGS[r.status];
    if (ending && r.endedAt) {
      events.push({ at: r.endedAt, kind: ending.kind, version: r.version, title: `v${r.version} ${ending.verb}`, text: r.headline ?? '', actor: null, link });
    }
  }
  return events
    .filter(e => {
      const at = Date.parse(e.at);
      return at >= from && at < to;
    })
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.kind.localeCompare(b.kind));
}
