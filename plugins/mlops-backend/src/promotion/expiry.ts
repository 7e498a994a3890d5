import { AuditorService } from '@backstage/backend-plugin-api';
import { ScheduledTask } from '../wiring';
import { PromotionStore } from './PromotionStore';

/** Every minute one replica ends approvals and pending requests past their expiry, audited. */
export function promotionExpiryTask(options: { store: PromotionStore; auditor: AuditorService }): ScheduledTask {
  return {
    id: 'mlops-promotions-expire',
    scope: 'global',
    frequency: { minutes: 1 },
    timeout: { minutes: 1 },
    fn: async () => {
      const ended = await options.store.expireDue();
      if (ended) {
        const event = await options.auditor.createEvent({ eventId: 'promotion-expire', severityLevel: 'low', meta: { ended: String(ended) } });
        await event.success();
      }
    },
  };
}
