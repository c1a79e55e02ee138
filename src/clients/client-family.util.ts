/**
 * Which client a peer_id and a User-Agent say they are, for the User-Agent consistency check
 * (CLIENT_USER_AGENT_CHECK) and for cheat signals. Pure, and allocation-free for the peer_id.
 *
 * A family is named only where both sides are reliable: a peer_id prefix one client family uses, and the product name
 * that family puts in its User-Agent. libtorrent-rasterbar's own `-LT` is no family: applications built on it send
 * their own User-Agent.
 */
export type ClientFamily =
  | 'qbittorrent'
  | 'transmission'
  | 'deluge'
  | 'utorrent'
  | 'rtorrent'
  | 'aria2'
  | 'ctorrent'
  | 'vuze'
  | 'biglybt'
  | 'tixati'
  | 'webtorrent';

interface FamilyRule {
  family: ClientFamily;
  /** peer_id prefixes, as latin1 text. */
  prefixes: string[];
  /** How its User-Agent names it; a letter before the name is another word (qBittorrent is not BitTorrent). */
  userAgent: RegExp;
}

const FAMILIES: FamilyRule[] = [
  { family: 'qbittorrent', prefixes: ['-qB'], userAgent: /(?<![a-z])qbittorrent/i },
  { family: 'transmission', prefixes: ['-TR'], userAgent: /(?<![a-z])transmission/i },
  { family: 'deluge', prefixes: ['-DE'], userAgent: /(?<![a-z])deluge/i },
  // µTorrent and BitTorrent (Mainline) are one code base, which names either product.
  {
    family: 'utorrent',
    prefixes: ['-UT', '-UM', '-UW', '-BT'],
    userAgent: /(?:(?<![a-z])u|\u00b5)torrent|(?<![a-z])bittorrent/i,
  },
  { family: 'rtorrent', prefixes: ['-lt'], userAgent: /(?<![a-z])rtorrent/i },
  { family: 'aria2', prefixes: ['A2-'], userAgent: /(?<![a-z])aria2/i },
  { family: 'ctorrent', prefixes: ['-CD'], userAgent: /ctorrent/i },
  { family: 'vuze', prefixes: ['-AZ'], userAgent: /(?<![a-z])(?:azureus|vuze)/i },
  { family: 'biglybt', prefixes: ['-BI'], userAgent: /(?<![a-z])biglybt/i },
  { family: 'tixati', prefixes: ['TIX'], userAgent: /(?<![a-z])tixati/i },
  { family: 'webtorrent', prefixes: ['-WW'], userAgent: /(?<![a-z])webtorrent/i },
];

/** Every prefix is three bytes (familyRule compares three). */
const BY_PREFIX = FAMILIES.flatMap((rule) =>
  rule.prefixes.map((prefix) => ({ prefix: Buffer.from(prefix, 'latin1'), rule })),
);

/** The family a peer_id's prefix names, or undefined for any other peer_id. */
export function peerIdFamily(peerId: Buffer): ClientFamily | undefined {
  return familyRule(peerId)?.family;
}

/** The families a User-Agent names (usually one; none for an unknown or generic one). */
export function userAgentFamilies(userAgent: string): ClientFamily[] {
  return FAMILIES.filter((rule) => rule.userAgent.test(userAgent)).map((rule) => rule.family);
}

/**
 * True when the peer_id names one family and the User-Agent names another and not it: a qBittorrent peer_id sent
 * with `User-Agent: Transmission/4.0.5`. False whenever either side names no known family, or the User-Agent is
 * absent (UDP has none), so that an unknown client is never refused for it.
 */
export function userAgentContradicts(peerId: Buffer, userAgent: string | undefined): boolean {
  if (!userAgent) {
    return false;
  }
  const own = familyRule(peerId);
  if (!own || own.userAgent.test(userAgent)) {
    return false;
  }
  for (let i = 0; i < FAMILIES.length; i++) {
    if (FAMILIES[i] !== own && FAMILIES[i].userAgent.test(userAgent)) {
      return true;
    }
  }
  return false;
}

function familyRule(peerId: Buffer): FamilyRule | undefined {
  for (let i = 0; i < BY_PREFIX.length; i++) {
    const { prefix, rule } = BY_PREFIX[i];
    // A byte loop: Buffer.compare's native call costs more than comparing three bytes.
    if (peerId.length >= 3 && peerId[0] === prefix[0] && peerId[1] === prefix[1] && peerId[2] === prefix[2]) {
      return rule;
    }
  }
  return undefined;
}
