// The echo server of the real nodes' pods (catalogue.ts, image agnhost), run by the node agent
// inside the pod's network namespace. On every TCP port it writes "<namespace>/<pod>\n" to each
// new connection, then echoes what it receives; on every UDP port it answers each datagram with
// the same line. Upstream's agnhost serve-hostname, reduced to what the probes need.
//
// usage: node serve.ts --name NAMESPACE/POD [--tcp PORT,...] [--udp PORT,...]
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { name: { type: 'string' }, tcp: { type: 'string', default: '' }, udp: { type: 'string', default: '' } },
});
const name = values.name;
if (!name) {
  console.error('serve.ts: --name NAMESPACE/POD is required');
  process.exit(2);
}
const ports = (list: string): number[] => list.split(',').filter(Boolean).map(Number);
const greeting = `${name}\n`;

for (const port of ports(values.tcp)) {
  const server = net.createServer((socket) => {
    socket.on('error', () => socket.destroy());
    socket.write(greeting);
    socket.pipe(socket);
  });
  server.listen(port, '0.0.0.0', () => console.log(`serving ${name} on tcp/${port}`));
}
for (const port of ports(values.udp)) {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (_msg, from) => socket.send(greeting, from.port, from.address));
  socket.bind(port, '0.0.0.0', () => console.log(`serving ${name} on udp/${port}`));
}
