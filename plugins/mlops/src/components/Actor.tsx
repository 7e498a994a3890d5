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

/** A digest shortened to what people compare (`sha256:3f2a9c1e…`), the whole value on hover. */
export function Digest({ value }: { value: string }) {
  const [algorithm, hex] = value.includes(':') ? value.split(':', 2) : ['', value];
  const short = hex.length > 12 ? `${hex.slice(0, 12)}…` : hex;
  return (
    <span title={value} style={{ fontFamily: 'monospace', whiteSpace: 'nowrap' }}>
      {algorithm ? `${algorithm}:` : ''}
      {short}
    </span>
  );
}
