import { NotificationService } from '@backstage/plugin-notifications-node';
import { MlopsContext } from '../wiring';
import { catalogModelOwners, OwnerNotifications } from './OwnerNotifications';

export { OwnerNotifications } from './OwnerNotifications';

/** Owners told in the portal of contract violations, rollbacks and promotions awaiting them. */
export function createNotifications(ctx: MlopsContext, notifications: NotificationService) {
  return new OwnerNotifications(notifications, catalogModelOwners(ctx.catalog, ctx.auth), ctx.logger);
}
