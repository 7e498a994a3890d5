import Button from '@material-ui/core/Button';
import ButtonGroup from '@material-ui/core/ButtonGroup';

/** A card's time-window buttons: the chosen one pressed. `label` names the group for screen readers (and tests). */
export function WindowPicker<T extends { label: string }>({ label, options, value, onChange }: { label: string; options: T[]; value: T; onChange: (choice: T) => void }) {
  return (
    <ButtonGroup size="small" aria-label={label}>
      {options.map(option => (
        <Button key={option.label} aria-pressed={option === value} variant={option === value ? 'contained' : 'outlined'} color="primary" onClick={() => onChange(option)}>
          {option.label}
        </Button>
      ))}
    </ButtonGroup>
  );
}
