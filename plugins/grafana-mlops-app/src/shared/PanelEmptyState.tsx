import React from 'react';
import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';

/** What a panel shows when its query returned nothing it can draw. */
export function PanelEmptyState({ message }: { message: string }) {
  const styles = useStyles2(getStyles);
  return <div className={styles.empty}>{message}</div>;
}

const getStyles = (theme: GrafanaTheme2) => ({
  empty: css`
    display: flex;
    align-items: center;
    justify-content: center;
    height: 100%;
    color: ${theme.colors.text.secondary};
  `,
});
