import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';

/**
 * A column: its header, right-aligned when it holds numbers. A long header over narrow values may
 * `wrap` between its words (never inside one), so it does not widen the table.
 */
export type Column = string | { label: string; numeric?: boolean; wrap?: boolean };

/** A table's header row; headers stay on one line unless their column says `wrap`. */
export function TableHeader({ columns }: { columns: Column[] }) {
  return (
    <TableHead>
      <TableRow>
        {columns.map((c, i) =>
          typeof c === 'string' ? (
            <TableCell key={i} style={{ whiteSpace: 'nowrap' }}>
              {c}
            </TableCell>
          ) : (
            <TableCell key={i} align={c.numeric ? 'right' : 'left'} style={{ whiteSpace: c.wrap ? 'normal' : 'nowrap', verticalAlign: 'bottom' }}>
              {c.label}
            </TableCell>
          ),
        )}
      </TableRow>
    </TableHead>
  );
}
