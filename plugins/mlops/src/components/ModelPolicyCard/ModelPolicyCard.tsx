import { getCompoundEntityRef } from '@backstage/catalog-model';
import { InfoCard } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { mlopsApiRef } from '../../api/MlopsApi';
import { useAsync } from '../../hooks/useAsync';
import { AsyncCard } from '../AsyncCard';
import { ModelPolicyView } from '@modelrails/plugin-mlops-common';
import { TABLE_SCROLL, useNoWordBreaks } from '../tableStyle';

/** The Model's policy in words: gates, rollout, drift, retraining, KPIs, sign-off. */
export function ModelPolicyCard() {
  const { entity } = useEntity();
  const api = useApi(mlopsApiRef);
  const ref = getCompoundEntityRef(entity);
  const state = useAsync(() => api.getModelPolicy(ref), [api, ref.namespace, ref.name]);

  return (
    <AsyncCard title="Model policy" state={state}>
      {view => <ModelPolicy view={view} />}
    </AsyncCard>
  );
}

function ModelPolicy({ view }: { view: ModelPolicyView }) {
  const noBreaks = useNoWordBreaks().table;
  return (
    <InfoCard
      title="Model policy"
      subheader={
        <Box display="flex" style={{ gap: 8 }} mt={1}>
          <Chip size="small" label={`type: ${view.type}`} />
          <Chip size="small" label={`lifecycle: ${view.lifecycle}`} />
        </Box>
      }
    >
      {view.sections.map(section => (
        <Box key={section.title} mb={2} component="section" aria-label={section.title}>
          <Typography variant="h6" component="h3">
            {section.title}
          </Typography>
          <div style={TABLE_SCROLL}>
            <Table size="small" className={noBreaks}>
              <TableBody>
                {section.lines.map((line, i) => (
                  <TableRow key={`${line.label}-${i}`}>
                    <TableCell component="th" scope="row" style={{ width: '30%' }}>
                      {line.label}
                    </TableCell>
                    <TableCell>{line.value}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </div>
        </Box>
      ))}
    </InfoCard>
  );
}
