#!/usr/bin/env node
// Drives the simulated Jenkins with the npm package "jenkins", unchanged.
// Usage: node node_jenkins_check.js URL USER PASSWORD
// It authenticates with a password, so every POST needs a crumb bound to the
// session cookie that /crumbIssuer sets: the client's crumbIssuer handles it.
'use strict';
const Jenkins = require('jenkins');

const JOB = 'payments/api-tests';

function check(cond, what) {
  if (!cond) {
    console.log('FAIL: ' + what);
    process.exit(1);
  }
  console.log('ok: ' + what);
}

async function main() {
  const [url, user, password] = process.argv.slice(2);
  const auth = 'Basic ' + Buffer.from(user + ':' + password).toString('base64');
  const jenkins = new Jenkins({ baseUrl: url, crumbIssuer: true, headers: { authorization: auth } });

  // The npm client has no version or whoami call; its generic GET is the equivalent.
  const who = await jenkins._get({ name: 'whoAmI', path: '/whoAmI/api/json' });
  check(who.headers['x-jenkins'] === '2.541.1', 'version from X-Jenkins: ' + who.headers['x-jenkins']);
  check(who.body.name === user && who.body.anonymous === false, 'whoAmI: ' + who.body.name);

  const info = await jenkins.info();
  check(info._class === 'hudson.model.Hudson' && info.useCrumbs === true, 'info: root object');
  const names = info.jobs.map((j) => j.name).sort();
  check(names.join(',') === 'gateway,orders-api,payments', 'info lists top-level items: ' + names);

  const inFolder = await jenkins.job.list('payments');
  check(inFolder.some((j) => j.name === 'api-tests'), 'job.list in a folder');
  const branches = await jenkins.job.list('gateway');
  check(branches.some((j) => j.name === 'feature%2Flogin'), 'job.list of a multibranch project');

  const job = await jenkins.job.get(JOB);
  check(job.fullName === JOB && job.buildable === true, 'job.get on a folder job');
  const branch = await jenkins.job.get('gateway/feature%2Flogin');
  check(branch.displayName === 'feature/login', 'job.get of a branch that needs double encoding');
  const disabled = await jenkins.job.get('payments/legacy-smoke');
  check(disabled.color === 'disabled' && disabled.buildable === false, 'disabled job');

  try {
    await jenkins.job.build({ name: 'payments/legacy-smoke', parameters: {} });
    check(false, 'building a disabled job fails');
  } catch (err) {
    check(err.statusCode === 409, 'building a disabled job -> ' + err.statusCode);
  }

  const qid = await jenkins.job.build({ name: JOB, parameters: { ENVIRONMENT: 'production', ITERATIONS: '3' } });
  check(Number.isInteger(qid) && qid > 0, 'job.build with parameters -> queue item ' + qid);

  let number;
  const deadline = Date.now() + 30000;
  while (Date.now() < deadline) {
    const item = await jenkins.queue.item(qid);
    if (item.executable) {
      number = item.executable.number;
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  check(number > 0, 'queue.item until executable -> build #' + number);

  const build = await jenkins.build.get(JOB, number);
  check(build.building === true && build.queueId === qid, 'build.get: running build from the queue item');

  const first = await jenkins.build.log({ name: JOB, number, meta: true });
  check(first.more === true && Number(first.size) > 0, 'build.log: progressive text says more is coming');
  let next;
  for (let i = 0; i < 30; i++) {
    await new Promise((r) => setTimeout(r, 100));
    next = await jenkins.build.log({ name: JOB, number, start: first.size, meta: true });
    if (Number(next.size) > Number(first.size)) break;
  }
  check(Number(next.size) > Number(first.size) && !String(next.text).includes('Started by user'),
    'build.log from the returned offset: ' + first.size + ' -> ' + next.size);

  await jenkins.build.stop(JOB, number);
  const stopped = await jenkins.build.get(JOB, number);
  check(stopped.result === 'ABORTED', 'build.stop aborts: ' + stopped.result);

  const streamed = await new Promise((resolve, reject) => {
    let text = '';
    const s = jenkins.build.logStream(JOB, number, { delay: 50 });
    s.on('data', (t) => { text += t; });
    s.on('error', reject);
    s.on('end', () => resolve(text));
  });
  check(/Finished: ABORTED/.test(streamed), 'build.logStream ends with the result');

  const completed = job.lastSuccessfulBuild.number;
  // The npm client has no test report call; its generic GET is the equivalent.
  const res = await jenkins._get({ name: 'testReport', path: '/job/payments/job/api-tests/{n}/testReport/api/json', params: { n: completed } });
  const report = res.body;
  check(report._class === 'hudson.tasks.junit.TestResult' && report.suites.length > 0 && report.suites[0].cases.length > 0, 'testReport of #' + completed);

  const queue = await jenkins.queue.list();
  check(Array.isArray(queue), 'queue.list');
  const nodes = await jenkins.node.list();
  check(nodes.length === 1 && nodes[0].displayName === 'Built-In Node', 'node.list');

  try {
    await jenkins.job.get('no/such/job');
    check(false, 'missing job fails');
  } catch (err) {
    check(err.notFound === true || err.statusCode === 404, 'missing job -> 404');
  }

  const nocrumb = new Jenkins({ baseUrl: url, crumbIssuer: false, headers: { authorization: auth } });
  try {
    await nocrumb.job.build({ name: JOB, parameters: { ENVIRONMENT: 'dev' } });
    check(false, 'password POST without crumb fails');
  } catch (err) {
    check(err.statusCode === 403, 'password POST without crumb -> ' + err.statusCode);
  }
  console.log('PASS');
}

main().catch((err) => {
  console.log('FAIL: ' + (err && err.stack ? err.stack : err));
  process.exit(1);
});
