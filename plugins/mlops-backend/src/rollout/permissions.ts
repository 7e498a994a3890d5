import {
  mlopsRolloutAbortPermission,
  mlopsRolloutPausePermission,
  mlopsRolloutPromotePermission,
  mlopsRolloutResumePermission,
  mlopsRolloutRollbackPermission,
} from '@modelrails/plugin-mlops-common';

/** The permission each action needs. */
export const ROLLOUT_ACTION_PERMISSIONS = {
  pause: mlopsRolloutPausePermission,
  resume: mlopsRolloutResumePermission,
  promote: mlopsRolloutPromotePermission,
  abort: mlopsRolloutAbortPermission,
  rollback: mlopsRolloutRollbackPermission,
} as const;
