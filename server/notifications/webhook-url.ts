/**
 * Which URLs a webhook may call: http or https, no credentials in the URL (they would be stored and
 * shown in clear; the HMAC secret is how a receiver authenticates us), no fragment, at most 2048
 * characters. Returns the reason a URL is refused, or null when it is acceptable.
 */
export const MAX_WEBHOOK_URL_LENGTH = 2048;

export function webhookUrlProblem(value: string): string | null {
  if (value.length > MAX_WEBHOOK_URL_LENGTH) return `the URL is longer than ${MAX_WEBHOOK_URL_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'it is not an absolute URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `only http and https URLs are called, not ${url.protocol.slice(0, -1)}`;
  if (url.username !== '' || url.password !== '') return 'a URL with credentials (user:password@) is refused; receivers verify the signature instead';
  if (url.hash !== '') return 'a URL with a #fragment is refused';
  if (url.hostname === '') return 'the URL has no host';
  return null;
}
