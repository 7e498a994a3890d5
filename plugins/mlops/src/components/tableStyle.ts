import { makeStyles } from '@material-ui/core/styles';

/**
 * On every ModelRails table: a word or number never splits across lines (Backstage's theme gives
 * table cells `word-break: break-word`); a column grows instead. Cells keep 8 px a side between
 * columns (Material's small cells have 16 + 24), so the tables fit their cards at 1,280 px.
 */
export const useNoWordBreaks = makeStyles({
  table: {
    '& td, & th': { wordBreak: 'normal', overflowWrap: 'normal', paddingLeft: 8, paddingRight: 8 },
    '& td:first-child, & th:first-child': { paddingLeft: 16 },
    '& td:last-child, & th:last-child': { paddingRight: 16 },
  },
});

/** The box around a table that may be wider than its card. */
export const TABLE_SCROLL = { overflowX: 'auto' } as const;
