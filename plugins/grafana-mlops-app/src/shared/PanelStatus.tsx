import React from 'react';
import { css } from '@emotion/css';
import { GrafanaTheme2, LoadingState, PanelData } from '@grafana/data';
import { Alert, LoadingPlaceholder, useStyles2 } from '@grafana/ui';

/**
 * What a panel with nothing to draw shows in its place: loading before the first answer, the
 * query's error, or why there is nothing.
 */
export function PanelStatus({ data, width, height, empty }: { data: PanelData; width: number; height: number; empty: string }) {
  const styles = useStyles2(getStyles);
  const error = data.errors?.[0];
  let state: 'loading' | 'error' | 'empty' = 'empty';
  if (data.state === LoadingState.Loading || data.state === LoadingState.NotStarted) {
    state = 'loading';
  } else if (data.state === LoadingState.Error || error) {
    state = 'error';
  }
  return (
    <div style={{ width, height }}>
      <div className={styles.centre} data-state={state}>
        {state === 'loading' && <LoadingPlaceholder text="Loading…" />}
        {state === 'error' && (
          <Alert severity="error" title="The query failed">
            {error?.message ?? 'ModelRails did not answer'}
          </Alert>
        )}
        {state === 'empty' && empty}
      </div>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  centre: css`
    display: flex;
    align-items: center;
    justify-content: center;
    height: 100%;
    padding: ${theme.spacing(1)};
    color: ${theme.colors.text.secondary};
    text-align: center;
  `,
});
