import { BackstageCredentials, PermissionsService } from '@backstage/backend-plugin-api';
import { NotAllowedError, ServiceUnavailableError } from '@backstage/errors';
import { AuthorizeResult, BasicPermission, ResourcePermission } from '@backstage/plugin-permission-common';

/**
 * One permission decision: 403 when denied, 503 when the permission service cannot answer (so a
 * state change never happens on a guess).
 */
export async function authorizeOrThrow(
  permissions: PermissionsService,
  credentials: BackstageCredentials,
  permission: BasicPermission | ResourcePermission,
  resourceRef?: string,
): Promise<void> {
  let result: AuthorizeResult;
  try {
    [{ result }] = await permissions.authorize(
      [permission.type === 'resource' ? { permission, resourceRef: resourceRef! } : { permission }] as any,
      { credentials },
    );
  } catch (e) {
    throw new ServiceUnavailableError(`The permission service did not answer: ${(e as Error).message}`);
  }
  if (result !== AuthorizeResult.ALLOW) {
    throw new NotAllowedError(`Not allowed: ${permission.name}${resourceRef ? ` on ${resourceRef}` : ''}`);
  }
}
