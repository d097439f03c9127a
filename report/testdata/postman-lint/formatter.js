// Writes Postman CLI lint output with the Postman CLI's own formatters (the
// npm package @postman/pm-bin-linux-x64 ships them as plain JavaScript), for
// lint results made up for the demo's openapi.yaml. regen.sh runs it.
//   node formatter.js LIBDIR api-lint|api-lint-clean|spec-lint
// LIBDIR is .../@postman/pm-bin-linux-x64/bin/lib. Modules the formatters
// require but do not use to format (HTTP, config) are stubbed.
const Module = require('module');
const orig = Module.prototype.require;
Module.prototype.require = function (id) {
  try {
    return orig.apply(this, arguments);
  } catch (e) {
    if (e.code !== 'MODULE_NOT_FOUND') throw e;
    const stub = function () { return stub; };
    return new Proxy(stub, { get: (t, k) => (k === Symbol.toPrimitive ? () => '' : stub) });
  }
};
const [lib, what] = process.argv.slice(2);
// Spectral-style results: 0-based range, path array.
const r = (line, ch, severity, message, path, source) => ({
  range: { start: { line, character: ch }, end: { line, character: ch + 5 } }, severity, message, path, source
});
const ws = '/var/jenkins_home/workspace/payments/api-tests/';
switch (what) {
  case 'api-lint':
  case 'api-lint-clean': {
    const formatResults = require(lib + '/postman-entities/api/formatters/tableFormatter.js');
    const results = what === 'api-lint-clean' ? { governance: [], security: [] } : {
      governance: [
        r(9, 8, 'ERROR', 'Every operation must declare a security requirement, so that anonymous access is never the default.', ['paths', '/health', 'get']),
        r(1, 5, 'WARN', 'Info object must have "contact" object.', ['info']),
        r(59, 8, 'INFO', 'Operations should have a summary.', ['paths', '/orders/{id}', 'get']),
      ],
      security: [
        r(74, 15, 'ERROR', 'DELETE operations must not be anonymous.', ['paths', '/orders/{id}', 'delete', 'security']),
        r(118, 11, 'HINT', 'Schema properties should have a description.', ['components', 'schemas', 'Customer', 'properties', 'id']),
      ],
    };
    process.stdout.write(formatResults({ name: 'Orders API', type: 'openapi3', language: 'yaml' }, 'API', results));
    break;
  }
  case 'spec-lint': {
    const outputResultsInJson = require(lib + '/postman-entities/spec/formatters/jsonFormatter.js');
    // after extractRelevant*: severity already a word, file from source
    const f = (x, type) => ({ ...x, file: x.source, severity: x.severity, type });
    const out = outputResultsInJson({
      syntax: [f(r(107, 43, 'ERROR', '"example" property type must be string', ['components', 'schemas', 'Order', 'properties', 'currency', 'example'], ws + 'openapi.yaml'), 'SYNTAX')],
      governance: [
        f(r(9, 8, 'ERROR', 'Every operation must declare a security requirement.', ['paths', '/health', 'get'], ws + 'openapi.yaml'), 'GOVERNANCE'),
        f(r(1, 5, 'WARNING', 'Info object must have "contact" object.', ['info'], ws + 'openapi.yaml'), 'GOVERNANCE'),
      ],
    });
    process.stdout.write(JSON.stringify(out, null, 2) + '\n\n');
    break;
  }
  default:
    throw new Error('what: api-lint, api-lint-clean or spec-lint');
}
