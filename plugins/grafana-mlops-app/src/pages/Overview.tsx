import React from 'react';
import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import { TextLink, useStyles2 } from '@grafana/ui';
import { testIds } from '../testIds';

/** The app's landing page: what ModelRails adds to Grafana and where to find it. */
function Overview() {
  const s = useStyles2(getStyles);
  return (
    <PluginPage>
      <div data-testid={testIds.overview.container} className={s.body}>
        <p>
          ModelRails brings the production rails of machine-learning models into Grafana: the{' '}
          <strong>ModelRails</strong> data source reads the ModelRails backend through Grafana&apos;s data proxy, and
          three panels render what it returns.
        </p>
        <ul>
          <li>
            <strong>Drift</strong> — features × time with thresholds and contract violations.
          </li>
          <li>
            <strong>Canary</strong> — stage timeline, champion vs challenger, decision log.
          </li>
          <li>
            <strong>Model KPIs</strong> — per-model grid with SLO bands.
          </li>
        </ul>
        <p>
          Add a <TextLink href="/connections/datasources/new">ModelRails data source</TextLink> with the backend&apos;s URL
          and a read-only token to get started.
        </p>
      </div>
    </PluginPage>
  );
}

export default Overview;

const getStyles = (theme: GrafanaTheme2) => ({
  body: css`
    max-width: 72ch;
    margin-top: ${theme.spacing(1)};
  `,
});
