import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { NotAllowedError } from '@backstage/errors';
import { ModelVersion, Promotion } from '@modelrails/plugin-mlops-common';

/** Entity refs as one string each, whatever case or default namespace they were written with. */
export function normalizeRef(ref: string): string {
  return stringifyEntityRef(parseEntityRef(ref, { defaultKind: 'user', defaultNamespace: 'default' })).toLocaleLowerCase('en-US');
}

/** Who is asking to decide: a person (with their user ref) or a machine. */
export type Decider = { kind: 'user'; userEntityRef: string } | { kind: 'machine' };

/**
 * Separation of duties, enforced in code whatever the permission policy says: only people decide,
 * and neither the requester nor the version's creator decides. Throws NotAllowedError saying
 * why; answers the decider's normalised ref. The approve permission is checked after this.
 */
export function assertSeparationOfDuties(
  decider: Decider,
  promotion: Pick<Promotion, 'requestedBy'>,
  /** Absent while the version is not read yet: the other rules are checked first. */
  version?: Pick<ModelVersion, 'version' | 'creator'>,
): string {
  if (decider.kind !== 'user') {
    throw new NotAllowedError('Only people approve or reject promotions; service and external tokens cannot');
  }
  const me = normalizeRef(decider.userEntityRef);
  if (me === normalizeRef(promotion.requestedBy)) {
    throw new NotAllowedError('You requested this promotion: someone else must decide it');
  }
  if (version && me === normalizeRef(version.creator)) {
    throw new NotAllowedError(`You created v${version.version}: someone else must decide its promotion`);
  }
  return me;
}
