// Runs fauxqs (ESM-only) in its own process, bound to 127.0.0.1 on an ephemeral port.
// Prints {"port": N} on stdout once listening; exits when stdin closes or on SIGTERM.
import { buildApp } from 'fauxqs';

const app = buildApp({ logger: false, host: 'localhost' });
const address = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`${JSON.stringify({ port: Number(new URL(address).port) })}\n`);
const stop = () => app.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.resume();
