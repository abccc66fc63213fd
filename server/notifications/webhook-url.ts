import { lookup as systemLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import type { WebhookAllowList } from '../config.ts';

/**
 * Which URLs a webhook may call: http or https, no credentials in the URL (they would be stored and
 * shown in clear; the HMAC secret is how a receiver authenticates us), no fragment, at most 2048
 * characters, and only hosts on the public internet: a webhook is a request our server makes on a
 * party administrator's word, and it must not become their way into the server's own network
 * (its database port, a cloud's metadata service). Receivers inside that network are named by the
 * operator in WEBHOOK_ALLOWED_HOSTS.
 */
export const MAX_WEBHOOK_URL_LENGTH = 2048;

/** Refusals by the address policy start with this, in the delivery log and in a 422 alike. */
export const REFUSED_BY_POLICY = 'refused by policy';

/**
 * Returns the reason a URL is refused, or null when it is acceptable. Only what the URL itself says is
 * checked here (a literal address, a name that is private by definition); what a name resolves to is
 * checked at every delivery, by `pinnedLookup`.
 */
export function webhookUrlProblem(value: string, allowList: WebhookAllowList): string | null {
  if (value.length > MAX_WEBHOOK_URL_LENGTH) return `the URL is longer than ${MAX_WEBHOOK_URL_LENGTH} characters`;
  let url: URL;
  try {
    // The WHATWG parser writes every IPv4 form (2130706433, 0x7f.1, 0177.0.0.1) as a dotted quad.
    url = new URL(value);
  } catch {
    return 'it is not an absolute URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `only http and https URLs are called, not ${url.protocol.slice(0, -1)}`;
  if (url.username !== '' || url.password !== '')
    return 'a URL with credentials (user:password@) is refused; receivers verify the signature instead';
  if (url.hash !== '') return 'a URL with a #fragment is refused';
  if (url.hostname === '') return 'the URL has no host';
  return hostProblem(url.hostname, allowList);
}

/** The address a URL's host is written as (brackets of IPv6 removed), or undefined for a name. */
export function literalAddress(hostname: string): string | undefined {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return ipaddr.IPv6.isValid(bare) || ipaddr.IPv4.isValidFourPartDecimal(bare) ? bare : undefined;
}

/**
 * Names that never belong to a public host: localhost (RFC 6761), mDNS's .local (RFC 6762), .internal
 * (ICANN's private-use TLD, where clouds put their metadata service), .home.arpa (RFC 8375), and
 * names without a dot, which the resolver completes with the local search domains.
 */
const PRIVATE_NAME = /^[^.]+$|\.(localhost|local|internal|home\.arpa)$/;

function hostProblem(hostname: string, allowList: WebhookAllowList): string | null {
  const literal = literalAddress(hostname);
  if (literal) return isPermittedAddress(literal, allowList) ? null : privateAddressProblem(hostname);
  const name = hostKey(hostname);
  if (allowList.hosts.includes(name)) return null;
  return PRIVATE_NAME.test(name) ? `${REFUSED_BY_POLICY}: ${name} is a private name` : null;
}

/** A host name as the allow-list writes it: lower case, without the root's trailing dot. */
const hostKey = (hostname: string) => hostname.toLowerCase().replace(/\.$/, '');

const privateAddressProblem = (host: string) => `${REFUSED_BY_POLICY}: ${host} resolves to a private address`;

/**
 * A public address (ipaddr.js's `unicast`: not loopback, private, link-local, unique-local, CGNAT,
 * multicast, reserved, nor an IPv6 form that carries an IPv4 address: mapped, NAT64, 6to4, Teredo),
 * or one inside a network of the allow-list. An IPv4-mapped IPv6 address is judged as its IPv4 address.
 */
export function isPermittedAddress(address: string, allowList: WebhookAllowList): boolean {
  const parsed = ipaddr.process(address);
  if (parsed.range() === 'unicast') return true;
  return allowList.networks.some((network) => {
    const range = ipaddr.parseCIDR(network);
    return range[0].kind() === parsed.kind() && parsed.match(range);
  });
}

/** A delivery refused by the address policy: nothing was sent. */
export class AddressPolicyRefusal extends Error {}

/**
 * A `lookup` for http.request that resolves the host as the system would (every address) and hands
 * the socket only addresses it has checked, so what is connected to is exactly what was judged: a
 * name that answers with a public address to a check and a private one to the connect (DNS
 * rebinding) cannot slip between the two. If any address is not permitted, nothing is connected and
 * the error is an AddressPolicyRefusal. A host on the allow-list by name is connected wherever it
 * resolves.
 */
export function pinnedLookup(allowList: WebhookAllowList, resolve: typeof systemLookup = systemLookup): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { all: true, family: options.family ?? 0, hints: options.hints ?? 0 }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      const trusted = allowList.hosts.includes(hostKey(hostname));
      if (!trusted && addresses.some(({ address }) => !isPermittedAddress(address, allowList))) {
        return callback(new AddressPolicyRefusal(privateAddressProblem(hostname)), '', 0);
      }
      if (options.all) return callback(null, addresses);
      const [first] = addresses;
      if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
      callback(null, first.address, first.family);
    });
  };
}
