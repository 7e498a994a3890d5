import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';

/** Whether the catalog holds this User (refs compared as the catalog compares them). */
export async function isCatalogUser(catalog: CatalogService, userRef: string, credentials: BackstageCredentials): Promise<boolean> {
  const entity = await catalog.getEntityByRef(userRef, { credentials });
  return entity?.kind.toLocaleLowerCase('en-US') === 'user';
}
