import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';

/** A column: its header, right-aligned when it holds numbers. */
export type Column = string | { label: string; numeric: true };

/** A table's header row; headers never wrap (the table scrolls inside its card instead). */
export function TableHeader({ columns }: { columns: Column[] }) {
  return (
    <TableHead style={{ whiteSpace: 'nowrap' }}>
      <TableRow>
        {columns.map((c, i) =>
          typeof c === 'string' ? (
            <TableCell key={i}>{c}</TableCell>
          ) : (
            <TableCell key={i} align="right">
              {c.label}
            </TableCell>
          ),
        )}
      </TableRow>
    </TableHead>
  );
}
