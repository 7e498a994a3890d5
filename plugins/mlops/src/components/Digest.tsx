/** A digest shortened to what people compare (`sha256:3f2a9c1e…`), the whole value on hover. */
export function Digest({ value }: { value: string }) {
  const [algorithm, hex] = value.includes(':') ? value.split(':', 2) : ['', value];
  const short = hex.length > 12 ? `${hex.slice(0, 12)}…` : hex;
  return (
    <span title={value} style={{ fontFamily: 'monospace', whiteSpace: 'nowrap' }}>
      {algorithm ? `${algorithm}:` : ''}
      {short}
    </span>
  );
}
