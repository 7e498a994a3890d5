import React from 'react';
import { css } from '@emotion/css';
import { GrafanaTheme2, LoadingState, PanelData } from '@grafana/data';
import { Alert, LoadingPlaceholder, useStyles2 } from '@grafana/ui';

/**
 * What a panel shows instead of its content: loading before the first answer, the query's
 * error, or why there is nothing to draw. Null when the panel has content to draw.
 */
export function PanelStatus({ data, hasContent, empty }: { data: PanelData; hasContent: boolean; empty: string }) {
  const styles = useStyles2(getStyles);
  if (hasContent) {
    return null;
  }
  if (data.state === LoadingState.Loading || data.state === LoadingState.NotStarted) {
    return (
      <div className={styles.centre} data-state="loading">
        <LoadingPlaceholder text="Loading…" />
      </div>
    );
  }
  const error = data.errors?.[0];
  if (data.state === LoadingState.Error || error) {
    return (
      <div className={styles.centre} data-state="error">
        <Alert severity="error" title="The query failed">
          {error?.message ?? 'ModelRails did not answer'}
        </Alert>
      </div>
    );
  }
  return (
    <div className={styles.centre} data-state="empty">
      {empty}
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
