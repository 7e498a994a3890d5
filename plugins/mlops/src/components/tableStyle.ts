import { makeStyles } from '@material-ui/core/styles';

/**
 * On every ModelRails table: a word or number never splits across lines (Backstage's theme gives
 * table cells `word-break: break-word`); a column grows instead, and the table scrolls inside its card.
 */
export const useNoWordBreaks = makeStyles({
  table: {
    '& td, & th': { wordBreak: 'normal', overflowWrap: 'normal' },
  },
});

/** The box around a table that may be wider than its card. */
export const TABLE_SCROLL = { overflowX: 'auto' } as const;
