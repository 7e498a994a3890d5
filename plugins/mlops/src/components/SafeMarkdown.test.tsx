/* eslint-disable no-script-url -- the payloads under test are script URLs */
import fc from 'fast-check';
import { render } from '@testing-library/react';
import { safeUrl, SafeMarkdown } from './SafeMarkdown';

describe('safeUrl', () => {
  it('keeps absolute http, https and mailto URLs', () => {
    expect(safeUrl('https://example.com/a?b=1#c')).toBe('https://example.com/a?b=1#c');
    expect(safeUrl('HTTP://Example.com')).toBe('http://example.com/');
    expect(safeUrl('mailto:oncall@example.com')).toBe('mailto:oncall@example.com');
  });

  it.each(['javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'java\tscript:alert(1)', ' javascript:alert(1)', 'data:text/html,<script>', 'vbscript:x', '/relative', '../x', '#anchor', '//evil.example/x', 'file:///etc/passwd'])(
    'drops %j',
    uri => {
      expect(safeUrl(uri)).toBe('');
    },
  );

  it('returns nothing but http, https or mailto URLs for any input', () => {
    const scheme = fc.constantFrom('', 'javascript:', 'JAVASCRIPT:', 'java\nscript:', 'data:', 'http:', 'https:', 'mailto:', '\u0000javascript:', ' ', 'vbscript:');
    fc.assert(
      fc.property(scheme, fc.string({ maxLength: 20 }), (s, rest) => {
        const out = safeUrl(s + rest);
        return out === '' || /^(https?:|mailto:)/.test(out);
      }),
      { numRuns: 3000 },
    );
    expect(safeUrl('https://ok.example')).not.toBe('');
  });
});

describe('SafeMarkdown', () => {
  it('shows raw HTML as text and keeps no unsafe target', () => {
    const { container } = render(
      <SafeMarkdown markdown={'<script>window.x=1</script>\n\n<img src=x onerror="alert(1)">\n\n[a](javascript:alert(1)) ![i](javascript:alert(2)) [b](https://ok.example/)'} />,
    );
    expect(container.querySelector('script, img')).toBeNull();
    expect(container.textContent).toContain('<script>window.x=1</script>');
    expect([...container.querySelectorAll('[href], [src]')].map(e => e.getAttribute('href'))).toEqual(['https://ok.example/']);
  });
});
