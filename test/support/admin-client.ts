import { waitFor } from 'test/support/wait-for';

/** Shapes of the admin API (CONTRACT §5), as far as the tests read them. */
export interface AdminUser {
  id: number;
  passkey: string;
  enabled: boolean;
  canLeech: boolean;
  uploadMultiplier: number;
  downloadMultiplier: number;
  uploaded: number;
  downloaded: number;
  rawUploaded: number;
  rawDownloaded: number;
  lastIp: string | null;
  lastActive: string | null;
  activeTorrents?: { seeding: string[]; leeching: string[] };
}

export interface CreateUserBody {
  id: number;
  passkey?: string;
  enabled?: boolean;
  canLeech?: boolean;
  uploadMultiplier?: number;
  downloadMultiplier?: number;
}

export interface AdminSwarmSide {
  count: number;
  users: number[];
}

export interface AdminTorrent {
  infoHash: string;
  id: number | null;
  uploaderId: number | null;
  freeleech: boolean;
  uploadMultiplier: number;
  downloadMultiplier: number;
  completed: number;
  seeders: AdminSwarmSide;
  leechers: AdminSwarmSide;
}

export interface CreateTorrentBody {
  infoHash: string;
  id?: number;
  uploaderId?: number;
  freeleech?: boolean;
  uploadMultiplier?: number;
  downloadMultiplier?: number;
}

export interface AdminPeer {
  userId: number;
  peerId: string;
  ip: string;
  port: number;
  seeder: boolean;
}

export interface AdminUserTorrent {
  infoHash: string;
  uploaded: number;
  downloaded: number;
  rawUploaded: number;
  rawDownloaded: number;
  seedTime: number;
  completedAt: string | null;
  firstAnnounce: string | null;
  lastAnnounce: string | null;
  active: 'seeding' | 'leeching' | null;
}

export class AdminApiError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`${method} ${path} answered ${status}: ${body}`);
  }
}

/** A typed `fetch` wrapper for `/api` with the bearer token; any non-2xx answer throws an AdminApiError. */
export class AdminClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  createUser(body: CreateUserBody): Promise<AdminUser> {
    return this.request('POST', '/api/users', body);
  }

  getUser(id: number): Promise<AdminUser> {
    return this.request('GET', `/api/users/${id}`);
  }

  getUserTorrents(id: number): Promise<AdminUserTorrent[]> {
    return this.request('GET', `/api/users/${id}/torrents`);
  }

  createTorrent(body: CreateTorrentBody): Promise<AdminTorrent> {
    return this.request('POST', '/api/torrents', body);
  }

  getTorrent(infoHash: string): Promise<AdminTorrent> {
    return this.request('GET', `/api/torrents/${infoHash}`);
  }

  /** The torrent once `ok` holds for it, polling for up to 15 s (real clients announce on their own schedule). */
  torrentWhere(infoHash: string, description: string, ok: (torrent: AdminTorrent) => boolean): Promise<AdminTorrent> {
    return waitFor(
      async () => {
        const torrent = await this.getTorrent(infoHash);
        if (!ok(torrent)) {
          throw new Error(JSON.stringify(torrent));
        }
        return torrent;
      },
      { description, timeoutMs: 15_000, intervalMs: 250 },
    );
  }

  getTorrentPeers(infoHash: string): Promise<AdminPeer[]> {
    return this.request('GET', `/api/torrents/${infoHash}/peers`);
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}`, accept: 'application/json' };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
    }
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    if (!response.ok) {
      throw new AdminApiError(method, path, response.status, text);
    }
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }
}
