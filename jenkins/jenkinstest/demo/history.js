// Makes the history of the demo's payments/api-tests job: builds 81–130 each
// get reports from a real newman run (against api-server.js, with the knobs
// of that build) and a real Spectral lint (of openapi.yaml as it stood
// then), so that the history shows what jeeves's trends look for:
//   - a flaky assertion: List orders answers slowly now and then, and its
//     "Response time is below 500 ms" test fails in those builds;
//   - a regression: POST /orders answers 400 in builds 112–115, fixed in 116;
//   - a request that gets slower: GET /customers/7 from build 111 on;
//   - lint violations added (98: a refund operation without security) and
//     fixed (108: the schema example and path parameter; 129: the refund's
//     security and the contact).
// Writes reports/h<N>-newman.{json,xml,txt}.gz, reports/h-lint<S>-spectral.
// {json,sarif}.gz and reports/history.json (the index the simulator reads,
// with the scenario the tests check against). Run by regen.sh; needs the
// packages of `npm ci` here.
'use strict';
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const { spawn, spawnSync } = require('child_process');

const here = __dirname;
const out = path.join(here, 'reports');
const ws = '/var/jenkins_home/workspace/payments/api-tests';
const first = 81, last = 130;

const scenario = {
  job: 'payments/api-tests',
  first, last,
  aborted: [93, 117],
  flaky: { folder: 'Orders', request: 'List orders', assertion: 'Response time is below 500 ms', failed: [85, 90, 96, 104, 111, 119, 123, 128] },
  regression: { folder: 'Orders', request: 'Create order', assertions: ['Status code is 201', 'New order is open'], from: 112, fixed: 116 },
  slower: { folder: 'Customers', request: 'Get customer', method: 'GET', from: 111, step_ms: 12 },
  lint: [
    { from: first, stage: 0, what: 'openapi.yaml as in the repository' },
    { from: 98, stage: 1, what: 'adds POST /orders/{id}/refund without security or description' },
    { from: 108, stage: 2, what: 'fixes the currency example and the customer path parameter' },
    { from: 129, stage: 3, what: 'gives the refund operation security and the API a contact' },
  ],
};

function knobs(n) {
  return {
    slowList: scenario.flaky.failed.includes(n),
    breakCreate: n >= scenario.regression.from && n < scenario.regression.fixed,
    customerDelay: Math.max(0, n - scenario.slower.from + 1) * scenario.slower.step_ms,
  };
}

// planned lists the failures build n is meant to have, as newman names them.
function planned(n) {
  const f = [];
  if (scenario.flaky.failed.includes(n)) f.push(scenario.flaky.request + ' › ' + scenario.flaky.assertion);
  const g = scenario.regression;
  if (n >= g.from && n < g.fixed) for (const a of g.assertions) f.push(g.request + ' › ' + a);
  return f.sort().join('; ');
}

function lintStage(n) {
  let s = 0;
  for (const l of scenario.lint) if (n >= l.from) s = l.stage;
  return s;
}

// openapi.yaml as it stood at a lint stage: plain text edits, as a commit would make.
function openapi(stage) {
  let y = fs.readFileSync(path.join(here, 'openapi.yaml'), 'utf8');
  const refund = `  /orders/{id}/refund:
    parameters:
      - name: id
        in: path
        required: true
        schema: { type: integer }
    post:
      operationId: refundOrder
      summary: Refund an order
      tags: [orders]
SECURITY      responses:
        '200':
          description: Refunded.
          content:
            application/json:
              schema: { $ref: '#/components/schemas/Order' }
`;
  if (stage >= 1) {
    y = y.replace('  /customers/{customerId}:\n', refund.replace('SECURITY', stage >= 3 ? '      security:\n        - apiKey: []\n' : '') + '  /customers/{customerId}:\n');
  }
  if (stage >= 2) {
    y = y.replace("currency: { type: string, example: 12 }", "currency: { type: string, example: EUR }");
    y = y.replace("        - name: id\n          in: path\n          required: true\n          schema: { type: string }", "        - name: customerId\n          in: path\n          required: true\n          schema: { type: string }");
  }
  if (stage >= 3) {
    y = y.replace('  description: Orders and customers of the demo shop.\n', '  description: Orders and customers of the demo shop.\n  contact:\n    name: Payments team\n    email: payments@example.com\n');
  }
  return y;
}

function put(name, text) {
  text = text.split(here).join(ws);
  fs.writeFileSync(path.join(out, name), zlib.gzipSync(Buffer.from(text), { level: 9, mtime: 0 }));
}

function startAPI(k) {
  return new Promise((resolve, reject) => {
    const p = spawn('node', [path.join(here, 'api-server.js'), 'good', '0', JSON.stringify(k)], { stdio: ['ignore', 'pipe', 'inherit'] });
    p.stdout.once('data', (d) => resolve({ proc: p, base: 'http://127.0.0.1:' + String(d).trim() }));
    p.once('error', reject);
  });
}

async function main() {
  const scratch = fs.mkdtempSync(path.join(here, '.history-'));
  try {
    // lint: one Spectral run per stage (builds of one stage share its reports)
    for (const l of scenario.lint) {
      const dir = path.join(scratch, 'lint' + l.stage);
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'openapi.yaml'), openapi(l.stage));
      fs.copyFileSync(path.join(here, '.spectral.yaml'), path.join(dir, '.spectral.yaml'));
      spawnSync(path.join(here, 'node_modules/.bin/spectral'), ['lint', 'openapi.yaml', '--ruleset', '.spectral.yaml',
        '-f', 'json', '-o.json', 'spectral.json', '-f', 'sarif', '-o.sarif', 'spectral.sarif'], { cwd: dir, stdio: 'ignore' });
      for (const ext of ['json', 'sarif']) {
        // the workspace holds openapi.yaml at its root, as the checked-out repository would
        put(`h-lint${l.stage}-spectral.${ext}.gz`, fs.readFileSync(path.join(dir, 'spectral.' + ext), 'utf8').split(dir).join(here));
      }
    }
    const builds = [];
    for (let n = first; n <= last; n++) {
      if (scenario.aborted.includes(n)) {
        builds.push({ number: n, result: 'ABORTED' });
        continue;
      }
      const json = path.join(scratch, 'newman.json'), xml = path.join(scratch, 'newman.xml');
      let r, report;
      // A loaded machine makes its own slow moments (another request's
      // response-time test fails): run again until the failures are the
      // planned ones, so that the history is the scenario's.
      for (let attempt = 1; ; attempt++) {
        const api = await startAPI(knobs(n));
        r = spawnSync(path.join(here, 'node_modules/.bin/newman'), ['run', path.join(here, 'collection.json'),
          '-e', path.join(here, 'environment.json'), '--env-var', 'baseUrl=' + api.base, '--color', 'on',
          '--reporters', 'cli,json,junit', '--reporter-json-export', json, '--reporter-junit-export', xml], { encoding: 'utf8' });
        api.proc.kill();
        report = JSON.parse(fs.readFileSync(json, 'utf8'));
        const got = report.run.failures.map((f) => f.source.name + ' › ' + f.error.test).sort().join('; ');
        if (got === planned(n)) break;
        if (attempt === 10) throw new Error(`#${n}: failures ${got || 'none'}, planned ${planned(n) || 'none'}`);
        process.stdout.write(`#${n}: unplanned failures (${got}), again\n`);
      }
      const failed = report.run.stats.assertions.failed;
      put(`h${n}-newman.json.gz`, fs.readFileSync(json, 'utf8'));
      put(`h${n}-newman.xml.gz`, fs.readFileSync(xml, 'utf8'));
      put(`h${n}-newman.txt.gz`, r.stdout);
      const s = lintStage(n);
      builds.push({
        number: n,
        result: failed > 0 ? 'UNSTABLE' : 'SUCCESS',
        console: `h${n}-newman.txt.gz`,
        artifacts: {
          'reports/newman.json': `h${n}-newman.json.gz`,
          'reports/newman.xml': `h${n}-newman.xml.gz`,
          'reports/spectral.json': `h-lint${s}-spectral.json.gz`,
          'reports/spectral.sarif': `h-lint${s}-spectral.sarif.gz`,
        },
      });
      process.stdout.write(`#${n} ${failed} failed, lint stage ${s}\n`);
    }
    fs.writeFileSync(path.join(out, 'history.json'), JSON.stringify({
      comment: 'Made by history.js (regen.sh): the reports of builds ' + first + '–' + last + ' of ' + scenario.job + ' and the scenario they were made with.',
      scenario, builds,
    }, null, 1) + '\n');
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
