// ALPN mismatch peers for scripts/captures/tls.sh (Node.js 20, standard library only).
//   node alpn.mjs server CERT KEY PROTO...   TLS server on port 443 offering only PROTO... (e.g. h2)
//   node alpn.mjs client HOST SNI PROTO...   TLS client offering only PROTO... (e.g. http/1.1)
// The client prints one line with the outcome (the error Node reports, or the protocol agreed).
import { readFileSync } from 'node:fs';
import tls from 'node:tls';

const [mode, a, b, ...protocols] = process.argv.slice(2);

if (mode === 'server') {
  const server = tls.createServer({ cert: readFileSync(a), key: readFileSync(b), ALPNProtocols: protocols }, (sock) => {
    sock.end('hello\n');
  });
  server.on('tlsClientError', (err) => console.log(`server: ${err.code ?? ''} ${err.message}`));
  server.listen(443, '0.0.0.0', () => console.log('server: listening'));
} else if (mode === 'client') {
  const sock = tls.connect({ host: a, port: 443, servername: b, ALPNProtocols: protocols, rejectUnauthorized: false });
  sock.on('secureConnect', () => {
    console.log(`client: connected, ALPN ${sock.alpnProtocol}`);
    sock.end();
  });
  sock.on('error', (err) => {
    console.log(`client: ${err.code ?? ''} (${err.reason ?? err.message.trim()})`);
    process.exitCode = 1;
  });
} else {
  console.error('usage: alpn.mjs server CERT KEY PROTO... | client HOST SNI PROTO...');
  process.exit(2);
}
