// A tiny Orders API the demo collection runs against, on loopback only.
// Usage: node api-server.js good|bad PORT [KNOBS]
// "good" answers everything as the collection expects; "bad" breaks a few
// endpoints so some assertions fail, as a regressed deployment would.
// KNOBS (JSON, with good; history.js sets them per build of the demo's
// history): {"slowList": true} makes GET /orders take 620 ms (a slow moment:
// its response-time test fails), {"breakCreate": true} makes POST /orders
// answer 400 (a regression), {"customerDelay": N} delays GET /customers/7
// by N ms (a request that gets slower).
'use strict';
const http = require('http');
const mode = process.argv[2] === 'bad' ? 'bad' : 'good';
const port = Number(process.argv[3] || 0);
const knobs = JSON.parse(process.argv[4] || '{}');
const orders = [
  { id: 1, customerId: 7, total: 42.5, currency: 'EUR', status: 'paid' },
  { id: 2, customerId: 9, total: 13.0, currency: 'EUR', status: 'open' },
];
function send(res, code, body, delay) {
  setTimeout(() => {
    const data = body === undefined ? '' : JSON.stringify(body);
    res.writeHead(code, { 'Content-Type': 'application/json' });
    res.end(data);
  }, delay || 0);
}
http.createServer((req, res) => {
  let raw = '';
  req.on('data', (c) => { raw += c; });
  req.on('end', () => {
    const url = new URL(req.url, 'http://localhost');
    const p = url.pathname;
    let m;
    if (p === '/health') return send(res, 200, { status: 'ok', version: mode === 'good' ? '1.8.0' : '1.9.0-rc1' });
    if (p === '/orders' && req.method === 'GET') {
      if (mode === 'bad') return send(res, 200, { items: orders.slice(0, 1), total: 2 }, 600);
      return send(res, 200, { items: orders, total: orders.length }, knobs.slowList ? 620 : 0);
    }
    if (p === '/orders' && req.method === 'POST') {
      let body = {};
      try { body = JSON.parse(raw || '{}'); } catch (e) { return send(res, 400, { error: 'invalid JSON' }); }
      if (mode === 'bad' || knobs.breakCreate) return send(res, 400, { error: 'currency is required' });
      return send(res, 201, { id: 3, ...body, status: 'open' });
    }
    if ((m = p.match(/^\/orders\/(\d+)$/))) {
      const o = orders.find((x) => x.id === Number(m[1]));
      if (req.method === 'DELETE') {
        if (req.headers['x-api-key'] !== 'demo-key') return send(res, 401, { error: 'missing API key' });
        return send(res, 204);
      }
      if (!o) return send(res, 404, { error: 'order not found' });
      if (mode === 'bad' && o.id === 2) return send(res, 500, { error: 'database timeout' });
      return send(res, 200, o);
    }
    if ((m = p.match(/^\/customers\/(\d+)$/))) {
      if (m[1] === '7') {
        return send(res, 200, mode === 'good' ? { id: 7, name: 'Ada', email: 'ada@example.com' } : { id: '7', name: 'Ada' }, knobs.customerDelay);
      }
      return send(res, 404, { error: 'customer not found' });
    }
    send(res, 404, { error: 'no route' });
  });
}).listen(port, '127.0.0.1', function () {
  console.log(this.address().port);
});
