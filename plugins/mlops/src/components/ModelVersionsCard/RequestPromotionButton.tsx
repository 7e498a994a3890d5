import { ResponseErrorPanel } from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { mlopsApiRef } from '../../api/MlopsApi';
import { promotionsRouteRef } from '../../routes';

const ENVIRONMENTS = ['production', 'staging'];

/** Asks for a version's promotion; someone else then decides it on the sign-off page. */
export function RequestPromotionButton({ modelRef, version }: { modelRef: string; version: string }) {
  const api = useApi(mlopsApiRef);
  const promotionsPath = useRouteRef(promotionsRouteRef);
  const navigate = useNavigate();
  const [open, setOpen] = useState(false);
  const [environment, setEnvironment] = useState('production');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<Error | undefined>();
  const submit = async () => {
    setError(undefined);
    try {
      const created = await api.requestPromotion(parseEntityRef(modelRef), version, { environment, reason: reason || undefined });
      setOpen(false);
      const base = promotionsPath?.();
      if (base) navigate(`${base}?id=${encodeURIComponent(created.id)}`);
    } catch (e) {
      setError(e as Error);
    }
  };
  return (
    <>
      <Button size="small" variant="outlined" style={{ whiteSpace: 'nowrap' }} onClick={() => setOpen(true)} aria-label={`Request promotion of v${version}`}>
        Promote…
      </Button>
      <Dialog open={open} onClose={() => setOpen(false)} aria-labelledby={`promote-${version}`}>
        <DialogTitle id={`promote-${version}`}>Request promotion of v{version}</DialogTitle>
        <DialogContent>
          {/* Ids tie each label to its field, so assistive technology (and tests) find them by name. */}
          <TextField id={`promote-${version}-environment`} select fullWidth label="Environment" value={environment} onChange={e => setEnvironment(e.target.value)} margin="normal">
            {ENVIRONMENTS.map(env => (
              <MenuItem key={env} value={env}>
                {env}
              </MenuItem>
            ))}
          </TextField>
          <TextField id={`promote-${version}-why`} fullWidth multiline minRows={2} label="Why" value={reason} onChange={e => setReason(e.target.value)} margin="normal" />
          {error && <ResponseErrorPanel error={error} />}
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setOpen(false)}>Cancel</Button>
          <Button color="primary" variant="contained" onClick={submit}>
            Request
          </Button>
        </DialogActions>
      </Dialog>
    </>
  );
}
