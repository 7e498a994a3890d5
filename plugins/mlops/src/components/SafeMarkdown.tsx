import ReactMarkdown from 'react-markdown';
import remarkGfm from 'remark-gfm';

const SAFE_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);

/**
 * A link or image target kept only when it is an absolute http, https or mailto URL; anything
 * else (javascript:, data:, vbscript:, relative paths that would resolve inside the portal) is
 * dropped. Parsing as a URL first means "java\tscript:" and upper-case schemes are judged as the
 * browser would read them.
 */
export function safeUrl(uri: string): string {
  try {
    const url = new URL(uri);
    return SAFE_PROTOCOLS.has(url.protocol) ? url.href : '';
  } catch {
    return '';
  }
}

/**
 * Markdown written by model owners, rendered safely: raw HTML is shown as text (never parsed as
 * HTML), links keep only http/https/mailto targets and open in a new tab without the opener.
 */
export function SafeMarkdown({ markdown }: { markdown: string }) {
  return (
    <ReactMarkdown
      remarkPlugins={[remarkGfm]}
      transformLinkUri={safeUrl}
      transformImageUri={safeUrl}
      components={{
        a: ({ node: _node, href, children, ...props }) =>
          href ? (
            <a {...props} href={href} target="_blank" rel="noopener noreferrer nofollow">
              {children}
            </a>
          ) : (
            <span data-unsafe-link="">{children}</span>
          ),
        // An image whose source was dropped shows its alt text instead of an empty <img>.
        img: ({ node: _node, src, alt, ...props }) => (src ? <img {...props} src={src} alt={alt ?? ''} /> : <span data-unsafe-image="">{alt}</span>),
      }}
    >
      {markdown}
    </ReactMarkdown>
  );
}
