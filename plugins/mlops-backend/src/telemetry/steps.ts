import { InputError } from '@backstage/errors';
import { SERIES_STEPS as STEPS } from '@modelrails/plugin-mlops-common';
import { RESOLUTIONS } from './constants';

const SERIES_STEPS = STEPS.map(s => s.ms);
/** An automatic step gives at most this many points. */
const AUTO_POINTS = 40;

/** The step a window gets when none is asked for: the smallest with at most AUTO_POINTS points. */
export function autoStep(windowMs: number) {
  return SERIES_STEPS.find(step => windowMs / step <= AUTO_POINTS) ?? SERIES_STEPS[SERIES_STEPS.length - 1];
}

/**
 * The step of a series over [from, to) (asked for, or automatic), refused with 400 when it is not
 * one of SERIES_STEPS or gives more than `maxPoints`; with the coarsest stored resolution it holds.
 * Where rows finer than `finestKept` are no longer kept (downsampled by age), the step widens to
 * the first one they fill: the answer says which step it used.
 */
export function seriesStep(from: number, to: number, asked: number | undefined, maxPoints: number, finestKept: number = RESOLUTIONS[0]) {
  let stepMs = asked ?? autoStep(to - from);
  if (!SERIES_STEPS.includes(stepMs)) throw new InputError(`step must be one of ${STEPS.map(s => s.name).join(', ')}`);
  if ((to - from) / stepMs > maxPoints) throw new InputError(`step gives more than ${maxPoints} points for this window`);
  if (stepMs % finestKept !== 0) stepMs = SERIES_STEPS.find(step => step >= stepMs && step % finestKept === 0) ?? finestKept;
  return { stepMs, resolution: [...RESOLUTIONS].reverse().find(r => stepMs % r === 0)! };
}
