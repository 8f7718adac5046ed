import { IoAdapter } from '@nestjs/platform-socket.io';
import { Server, ServerOptions } from 'socket.io';

/** Clients only send small subscribe/unsubscribe requests. */
const MAX_CLIENT_MESSAGE_BYTES = 64 * 1024;

/** The server type of the socket.io copy bundled with @nestjs/platform-socket.io. */
type NestIoServer = ReturnType<IoAdapter['createIOServer']>;

interface EngineClient {
  close(discard?: boolean): unknown;
  transport?: { name?: string; socket?: { terminate?: () => void } };
}

/**
 * socket.io on the application's HTTP server (Fastify's), with Sitrep's limits. The browser
 * bundle stays served at /socket.io/socket.io.js for the web pages.
 *
 * The server is built from the project's own `socket.io` dependency (the one the gateway's
 * typed event map refers to), not from the copy nested in @nestjs/platform-socket.io.
 */
export class TimelineIoAdapter extends IoAdapter {
  override createIOServer(port: number, options?: ServerOptions): NestIoServer {
    const settings: Partial<ServerOptions> = { maxHttpBufferSize: MAX_CLIENT_MESSAGE_BYTES, ...options };
    const server = this.httpServer && port === 0 ? new Server(this.httpServer, settings) : new Server(port, settings);
    return server as unknown as NestIoServer;
  }

  /**
   * Disconnects every client (they reconnect to another instance and resume with `after`).
   * socket.io's own close() would also close the HTTP server, before Fastify has put its
   * connections into closing mode, and then wait on every idle keep-alive connection; the
   * HTTP server is Fastify's to close. Namespaces go with their server.
   */
  override async close(server: NestIoServer): Promise<void> {
    const io = server as unknown;
    if (!(io instanceof Server)) return;
    const engine = io.engine as unknown as { clients: Record<string, EngineClient> };
    for (const client of Object.values(engine.clients)) {
      client.close(true);
      // No close handshake: a stalled client would hold shutdown for the handshake's timeout.
      if (client.transport?.name === 'websocket') client.transport.socket?.terminate?.();
    }
    io.engine.close();
  }
}
