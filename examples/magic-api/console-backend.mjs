// A small stand-in for a Magic-API backend, on 127.0.0.1 only: the console WebSocket (/magic/web/console) that
// answers the login and streams log lines, and an HTTP index of documents for the resource-manager. Bounded:
// it sends at most `maxLines` log lines per connection and stops with close().
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';

const DOCUMENTS = {
  '/mcp/docs/getting-started.md': '# Getting started\n\nScripts live under /magic/web; each file is one HTTP endpoint.\n',
  '/mcp/docs/datasource.md': '# Data sources\n\n`db` is the default data source; `db.slave` the read replica.\n',
};

export async function startConsoleBackend({ token, intervalMs = 50, maxLines = 40 } = {}) {
  const http = createServer((req, res) => {
    if (req.headers['magic-token'] !== token) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"code":401,"message":"token required"}');
      return;
    }
    if (req.url === '/mcp/resources.json') {
      const index = Object.keys(DOCUMENTS).map((path) => ({
        uri: `magic-api://docs/${path.split('/').pop()}`,
        name: path.split('/').pop(),
        mimeType: 'text/markdown',
        description: 'Magic-API documentation',
        path,
      }));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(index));
      return;
    }
    const body = DOCUMENTS[req.url ?? ''];
    if (body) res.writeHead(200, { 'content-type': 'text/markdown', etag: `"${body.length}"` }).end(body);
    else res.writeHead(404).end();
  });
  const wss = new WebSocketServer({ noServer: true });
  const sessions = new Set();
  const logins = [];
  http.on('upgrade', (req, socket, head) => {
    if (req.url !== '/magic/web/console') return socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  wss.on('connection', (ws, req) => {
    let sent = 0;
    let timer;
    sessions.add(ws);
    ws.on('message', (data) => {
      const text = data.toString();
      if (text.startsWith('login,')) {
        const [, credential, clientId] = text.split(',');
        logins.push({ credential, clientId, header: req.headers['magic-token'] });
        const ok = credential === token;
        ws.send(`login_response,${ok ? 1 : 0},${JSON.stringify({ username: ok ? 'demo' : null })}`);
        if (!ok) return;
        timer = setInterval(() => {
          if (sent >= maxLines || ws.readyState !== ws.OPEN) return clearInterval(timer);
          sent++;
          const level = sent % 7 === 0 ? 'WARN' : 'INFO';
          // A log message is a JSON array of lines, as Magic-API's WebSocketSessionManager.flushLog sends it.
          const line = `${new Date().toISOString()} ${level} [http-nio-10712-exec-${sent % 4}] GET /api/user/list took ${20 + (sent % 9)} ms`;
          ws.send(`log,${JSON.stringify([line])}`);
        }, intervalMs);
      } else if (text === 'pong') {
        // The editor's answer to our `ping`.
      }
    });
    ws.on('close', (code) => {
      clearInterval(timer);
      sessions.delete(ws);
      closeCodes.push(code);
    });
  });
  const closeCodes = [];
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address();
  return {
    wsUrl: `ws://127.0.0.1:${port}/magic/web/console`,
    httpUrl: `http://127.0.0.1:${port}`,
    logins,
    closeCodes,
    async close() {
      for (const ws of sessions) ws.terminate();
      wss.close();
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    },
  };
}
