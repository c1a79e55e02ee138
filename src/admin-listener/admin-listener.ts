import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { adminRequestLabel, isAdminRoute, isProbeRoute } from 'src/admin-listener/admin-route.util';
import type { TrackerConfig } from 'src/config/tracker.config';
import { TrackerMetrics } from 'src/metrics/tracker-metrics';

/**
 * ADMIN_HOST:ADMIN_PORT: a second HTTP server in front of the same Fastify instance, so `/api`, `/api/docs` and
 * `/metrics` can live on a private address while HOST:PORT faces the clients. One Nest app, one module graph, one
 * set of routes; an onRequest hook answers 404 (Fastify's own not-found answer) when a route is asked for on the
 * wrong listener. Fastify does the same itself when `localhost` resolves to several addresses: more servers, one
 * handler. Requests Fastify is handed otherwise (app.inject in tests) count as the public listener's.
 */
export class AdminListener {
  private readonly logger = new Logger(AdminListener.name);
  private readonly server: Server;
  private readonly adminRequests = new WeakSet<IncomingMessage>();

  private constructor(
    private readonly fastify: FastifyInstance,
    private readonly address: { host: string; port: number },
  ) {
    this.server = createServer((request, response) => {
      this.adminRequests.add(request);
      fastify.routing(request, response);
    });
    this.server.keepAliveTimeout = 65_000;
    fastify.addHook('onRequest', (request, reply, done) => {
      const route = request.routeOptions.url;
      const servedHere = this.adminRequests.has(request.raw)
        ? isAdminRoute(route) || isProbeRoute(route)
        : !isAdminRoute(route);
      if (servedHere) {
        done();
      } else {
        reply.callNotFound();
      }
    });
    // Stop accepting with the public server; connections still open after it has closed are cut.
    fastify.addHook('preClose', (done) => {
      this.server.close();
      done();
    });
    fastify.addHook('onClose', (_instance, done) => {
      this.server.closeAllConnections();
      done();
    });
  }

  /**
   * Counts admin API requests by route and status (on either listener), and, when ADMIN_PORT is set, splits the
   * routes between the listeners. Call before `app.init()`; returns the listener to bind, or null.
   */
  static install(app: NestFastifyApplication, config: TrackerConfig): AdminListener | null {
    const fastify: FastifyInstance = app.getHttpAdapter().getInstance();
    const metrics = app.get(TrackerMetrics);
    fastify.addHook('onResponse', (request, reply, done) => {
      const route = adminRequestLabel(request.routeOptions.url, request.url);
      if (route !== undefined) {
        metrics.adminRequests.labels(request.method, route, String(reply.statusCode)).inc();
      }
      done();
    });
    return config.adminListener ? new AdminListener(fastify, config.adminListener) : null;
  }

  /** Binds ADMIN_HOST:ADMIN_PORT; resolves with the address. */
  async listen(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.address.port, this.address.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const host = this.address.host.includes(':') ? `[${this.address.host}]` : this.address.host;
    const url = `http://${host}:${this.address.port}`;
    this.logger.log(`Admin API, docs and metrics on ${url}; the public listener answers 404 for them`);
    return url;
  }
}
