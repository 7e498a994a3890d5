import { EntityRefLink } from '@backstage/plugin-catalog-react';
import { actorLabel } from '@modelrails/plugin-mlops-common';

/**
 * Who did something: a person or group as the catalog entity's title linking to its page, a
 * ModelRails service (`plugin:mlops:rollout-engine`) in words.
 */
export function Actor({ entityRef }: { entityRef?: string | null }) {
  if (!entityRef) return <>—</>;
  const service = actorLabel(entityRef);
  if (service) return <span title={entityRef}>{service}</span>;
  return <EntityRefLink entityRef={entityRef} defaultKind="user" />;
}
