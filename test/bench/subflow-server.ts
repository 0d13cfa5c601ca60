// Bench child: the real Subflow server (startServer), on the DATABASE_URL and SMTP_URL it is given.
import { loadConfig } from '../../server/config.ts';
import { createLogger } from '../../server/logger.ts';
import { startServer } from '../../server/server.ts';
import { serveAsBenchChild } from './child-ipc.ts';

// Port 0: the OS picks a free one, so there is no window in which another process can take it.
const config = loadConfig({ ...process.env, PORT: '0', HOST: '127.0.0.1' });
const server = await startServer(config, createLogger(config.LOG_LEVEL));
serveAsBenchChild(server.port, () => server.close());
