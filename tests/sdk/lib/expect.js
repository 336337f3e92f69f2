'use strict';
// Assertions on what reaches a caller through each client: API errors
// (PROTOCOL.md sec. 6 "What the caller sees", sec. 7 codes and statuses) and
// the common success envelope.

const assert = require('node:assert/strict');
const { errorInfo } = require('./clients');

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// Every success reply carries RequestId (a UUID) and the DTS envelope.
// `Success` is typed string in some SDK models (ACTIONS.md sec. 0), so
// accept true or "true".
function assertOk(body, what) {
  assert.equal(typeof body, 'object', `${what}: reply is not an object`);
  assert.match(String(body.RequestId), UUID_RE, `${what}: RequestId is not a UUID`);
  assert.ok(body.Success === true || body.Success === 'true',
    `${what}: Success is ${JSON.stringify(body.Success)}`);
  assert.ok(body.Code === undefined || ['01', '02', '03', '04'].includes(body.Code),
    `${what}: success reply carries Code ${JSON.stringify(body.Code)}`);
}

// Awaits `promise`, which must reject with API error `code` and HTTP
// `status`; checks the fields each client documents. Returns errorInfo().
async function expectApiError(flavor, promise, code, status, what = code) {
  let err;
  try {
    const r = await promise;
    assert.fail(`${what}: expected error ${code} (HTTP ${status}), got success ` +
      JSON.stringify(r).slice(0, 300));
  } catch (e) {
    if (e instanceof assert.AssertionError) throw e;
    err = e;
  }
  const info = errorInfo(flavor, err);
  const seen = `${info.code} HTTP ${info.status}: ${info.message}`;
  assert.equal(info.code, code, `${what}: wrong error (${seen})`);
  assert.equal(info.status, status, `${what}: wrong HTTP status (${seen})`);
  assert.ok(info.data && typeof info.data === 'object', `${what}: error has no data`);
  const d = info.data;
  assert.match(String(d.RequestId), UUID_RE, `${what}: error RequestId not a UUID`);
  if (flavor.startsWith('pop')) {
    assert.equal(info.name, `${code}Error`, `${what}: pop-core error name`);
    assert.equal(d.Code, code);
    assert.ok(info.message.includes(', URL: '), `${what}: pop-core message: ${info.message}`);
  } else {
    assert.equal(d.statusCode, status, `${what}: openapi data.statusCode`);
    assert.ok(info.message.includes(`code: ${status}, `) &&
      info.message.includes(`request id: ${d.RequestId}`),
    `${what}: openapi message "${info.message}"`);
  }
  // The gateway body plus the DTS envelope in the same object (PROTOCOL.md
  // decisions): both SDK styles and Terraform-style callers see the failure.
  assert.equal(typeof d.Message, 'string', `${what}: Message`);
  assert.ok(d.Message.length > 0, `${what}: empty Message`);
  assert.equal(typeof d.HostId, 'string', `${what}: HostId`);
  assert.equal(typeof d.Recommend, 'string', `${what}: Recommend`);
  assert.ok(d.Success === false || d.Success === 'false', `${what}: Success ${d.Success}`);
  assert.equal(d.ErrCode, code, `${what}: ErrCode`);
  assert.equal(Number(d.HttpStatusCode), status, `${what}: HttpStatusCode`);
  return info;
}

module.exports = { assertOk, expectApiError, UUID_RE };
