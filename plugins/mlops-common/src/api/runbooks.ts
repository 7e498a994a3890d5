export { ALERT_KINDS } from '../model/alertKinds';
