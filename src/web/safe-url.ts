/**
 * A link target for text someone typed (a pledge's source, for example), or null to show it as
 * plain text. Only absolute http(s) addresses become links: `javascript:`, `data:` and every other
 * scheme, however it is disguised with case, whitespace or control characters, stay text.
 */
export function safeHref(typed: string | null | undefined): string | null {
  if (!typed) return null;
  const trimmed = typed.trim();
  // eslint-disable-next-line no-control-regex -- control characters inside a URL are how a scheme gets disguised
  if (/[\s\u0000-\u001f\u007f]/.test(trimmed)) return null;
  try {
    const url = new URL(trimmed);
    return (url.protocol === 'http:' || url.protocol === 'https:') && /^https?:\/\//i.test(trimmed) ? url.href : null;
  } catch {
    return null;
  }
}
