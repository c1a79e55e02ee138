import { ApiProperty } from '@nestjs/swagger';
import type { PeerEndpoint } from 'src/peers/peer-store.types';

/** One address family's endpoint of a live peer (README: dual-stack peers). */
export class PeerEndpointDto {
  @ApiProperty({ example: '203.0.113.7' })
  ip: string;
  @ApiProperty({ type: 'integer', example: 51413 })
  port: number;
  @ApiProperty({ enum: ['ipv4', 'ipv6'], example: 'ipv4' })
  family: 'ipv4' | 'ipv6';
  @ApiProperty({
    type: 'string',
    format: 'date-time',
    description: 'The last announce over this family',
    example: '2026-01-31T12:00:00.000Z',
  })
  lastSeen: string;
}

/** What the peer lists say about each endpoint of a peer. */
export const ENDPOINTS_DESCRIPTION =
  'The live endpoints, most recently seen first: one, or two (IPv4 and IPv6) for a dual-stack peer that announces ' +
  'over both families; each expires on its own PEER_TTL after its last announce. `ip` and `port` are the first one.';

export function endpointViews(endpoints: readonly PeerEndpoint[]): PeerEndpointDto[] {
  return endpoints.map((e) => ({
    ip: e.ip,
    port: e.port,
    family: e.family,
    lastSeen: new Date(e.lastSeen).toISOString(),
  }));
}
