// Inside a node network namespace: forwards TCP connections on 127.0.0.1:PORT to a unix socket
// that the node agent serves in the root namespace and forwards to the cluster's API server
// (which binds 127.0.0.1 of the root namespace only). The enforcer reads its API server so.
//
// usage: node relay.ts --listen PORT --unix PATH
import * as net from 'node:net';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { listen: { type: 'string' }, unix: { type: 'string' } } });
if (!values.listen || !values.unix) {
  console.error('usage: relay.ts --listen PORT --unix PATH');
  process.exit(2);
}
const unixPath = values.unix;
net
  .createServer((client) => {
    const upstream = net.connect(unixPath);
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  })
  .listen(Number(values.listen), '127.0.0.1', () => console.log(`relaying 127.0.0.1:${values.listen} -> ${unixPath}`));
