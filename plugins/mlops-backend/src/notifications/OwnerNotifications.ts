import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { RELATION_OWNED_BY } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { actorText, DriftReport, Promotion } from '@modelrails/plugin-mlops-common';
import { RolloutRecord } from '../rollout/RolloutStore';
import { runbookPagePath } from '../runbooks/runbookLinks';
import { violationSummary } from '../runbooks/LiveContextService';

/** A model's owner (the entity ref notifications go to) and its title. */
export type ModelOwner = { ownerRef: string; title: string };

/** A model's owner from the catalog, read on the plugin's own authority (notifications have no caller). */
export function catalogModelOwners(catalog: CatalogService, auth: AuthService) {
  return async (modelRef: string): Promise<ModelOwner | undefined> => {
    const entity = await catalog.getEntityByRef(modelRef, { credentials: await auth.getOwnServiceCredentials() });
    const ownerRef = entity?.relations?.find(r => r.type === RELATION_OWNED_BY)?.targetRef;
    return entity && ownerRef ? { ownerRef, title: entity.metadata.title ?? entity.metadata.name } : undefined;
  };
}

/**
 * Tells a model's owners in the portal (Backstage notifications) when a contract violation opens,
 * a rollout is rolled back, or a promotion waits for their approval. Each event has a scope: the
 * notifications backend updates an existing notification of the same scope instead of adding one,
 * and this process sends each scope once, so a violation that stays open is not re-announced.
 */
export class OwnerNotifications {
  private readonly sent = new Set<string>();

  constructor(
    private readonly notifications: NotificationService | undefined,
    private readonly ownerOf: (modelRef: string) => Promise<ModelOwner | undefined>,
    private readonly logger: LoggerService,
  ) {}

  private async send(modelRef: string, scope: string, payload: { title: (o: ModelOwner) => string; description: string; link: string; severity: 'critical' | 'high' | 'normal'; topic: string }, exclude?: string) {
    if (!this.notifications || this.sent.has(scope)) return;
    this.sent.add(scope);
    try {
      const owner = await this.ownerOf(modelRef);
      if (!owner) return;
      await this.notifications.send({
        recipients: { type: 'entity', entityRef: owner.ownerRef, ...(exclude ? { excludeEntityRef: exclude } : {}) },
        payload: { title: payload.title(owner), description: payload.description, link: payload.link, severity: payload.severity, topic: payload.topic, scope },
      });
    } catch (error) {
      // Sent again on the next occasion.
      this.sent.delete(scope);
      this.logger.warn(`Notification ${scope} not sent: ${(error as Error).message}`);
    }
  }

  async onDriftReport(report: DriftReport) {
    for (const v of report.violations.filter(x => x.open && x.flagged)) {
      await this.send(report.modelRef, `mlops:contract:${report.modelRef}:${v.feature}:${v.segment}:${v.check}:${v.firstBucket}`, {
        title: o => `${o.title}: contract violation on ${v.feature}`,
        description: `${violationSummary(v)}, since ${v.firstBucket}.`,
        link: runbookPagePath(report.modelRef, { alert: 'contract-violation' }),
        severity: 'critical',
        topic: 'contract-violation',
      });
    }
  }

  async onRolloutEnded(record: RolloutRecord) {
    if (record.status !== 'rolled-back') return;
    await this.send(record.modelRef, `mlops:rollback:${record.id}`, {
      title: o => `${o.title}: v${record.version} rolled back to v${record.champion ?? '—'}`,
      description: record.headline ?? `v${record.version} was rolled back.`,
      link: runbookPagePath(record.modelRef, { alert: 'canary-rollback' }),
      severity: 'high',
      topic: 'rollback',
    });
  }

  async onPromotionRequested(promotion: Promotion) {
    if (promotion.status !== 'pending') return;
    await this.send(
      promotion.modelRef,
      `mlops:promotion:${promotion.id}`,
      {
        title: o => `${o.title} v${promotion.version} awaits your approval for ${promotion.environment}`,
        description: `Requested by ${actorText(promotion.requestedBy)}${promotion.requestReason ? `: ${promotion.requestReason}` : ''}.`,
        link: `/mlops/promotions?id=${encodeURIComponent(promotion.id)}`,
        severity: 'normal',
        topic: 'promotion',
      },
      // The requester cannot decide their own request.
      promotion.requestedBy,
    );
  }
}
