'use strict';
// Format=XML: DescribePreCheckStatus as XML through openapi-client (bodyType
// 'string'), field for field the same as its JSON reply, arrays as repeated
// elements; XML errors (text/xml;charset=utf-8, root <Error>) that openapi V3
// parses (PROTOCOL.md sec. 6 table); and the raw bytes of both, from a
// request signed with the openapi-client's own util functions.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const querystring = require('node:querystring');
const env = require('./lib/env');
const { SdkClient, OpenApiUtil, TeaUtil } = require('./lib/clients');
const { expectApiError, UUID_RE } = require('./lib/expect');
const { parseXml, assertXmlMatchesJson } = require('./lib/xml');
const jobs = require('./lib/jobs');

const v3 = new SdkClient('openapi-v3');
let passed;
let failed;

before(async () => {
  const start = async (opts, want) => {
    const { jobId } = await jobs.createConfiguredJob(v3, opts);
    await v3.call('StartDtsJob', { DtsJobId: jobId });
    await jobs.waitStatus(v3, jobId, want);
    return jobId;
  };
  [passed, failed] = await Promise.all([
    start({ name: `${env.run}-xml-pass` }, ['Finished']),
    start({ name: `${env.run}-xml-fail`, src: { password: `bad-${env.run}` } }, ['PrecheckFailed']),
  ]);
});

after(async () => {
  for (const id of [passed, failed]) {
    if (id) await v3.call('DeleteDtsJob', { DtsJobId: id }).catch(() => {});
  }
});

// One V1-signed GET built from openapi-util/tea-util, answered raw.
function rawV1(params, secret = env.keySecret) {
  const all = { Action: 'DescribePreCheckStatus', Format: 'XML', Version: env.apiVersion,
    Timestamp: OpenApiUtil.getTimestamp(), SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0', SignatureNonce: TeaUtil.getNonce(), AccessKeyId: env.keyId,
    ...params };
  all.Signature = OpenApiUtil.getRPCSignature(all, 'GET', secret);
  const [host, port] = env.endpoint.split(':');
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port, method: 'GET', path: `/?${querystring.stringify(all)}`,
      agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers,
        body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.setTimeout(10000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

describe('Format=XML', { concurrency: true }, () => {
  for (const flavor of ['openapi-v3', 'openapi-v1']) {
    it(`${flavor}: DescribePreCheckStatus as XML equals the JSON reply`, async () => {
      const c = new SdkClient(flavor);
      for (const id of [passed, failed]) {
        const json = await jobs.precheckStatus(c, id);
        const r = await c.callRaw('DescribePreCheckStatus',
          { DtsJobId: id, JobCode: '01', Format: 'XML' }, { bodyType: 'string' });
        assert.equal(r.statusCode, 200);
        assert.match(String(r.headers['content-type']), /^application\/xml/i,
          `content-type ${r.headers['content-type']}`);
        assert.ok(r.body.startsWith('<?xml'), `no XML declaration: ${r.body.slice(0, 80)}`);
        const doc = await parseXml(r.body);
        assert.deepEqual(Object.keys(doc), ['DescribePreCheckStatusResponse'], 'root element');
        const root = doc.DescribePreCheckStatusResponse;
        assert.match(root.RequestId[0], UUID_RE);
        assert.equal(root.Code[0], '01');
        assert.equal(root.Success[0], 'true');
        assert.ok(root.JobProgress.length >= 2, 'JobProgress as repeated elements');
        assert.ok(root.NetworkDiagnosisResult[0].ModelVersion, 'NetworkDiagnosisResult');
        assertXmlMatchesJson(root, json, 'DescribePreCheckStatusResponse',
          new Set(['RequestId']));
        if (id === failed) {
          const src = root.JobProgress.find((p) => p.Item[0] === 'CHECK_CONN_SRC');
          assert.ok(src.Logs && src.Logs.length >= 1 && src.Logs[0].ErrMsg,
            'Logs as repeated <Logs> elements with children');
        }
      }
    });
  }

  it('openapi-v3: XML error replies are parsed into the SDK error', async () => {
    await expectApiError('openapi-v3', v3.callRaw('DescribePreCheckStatus',
      { DtsJobId: `nosuch${env.run.replace(/-/g, '')}`, JobCode: '01', Format: 'XML' },
      { bodyType: 'string' }), 'InvalidJobId', 404, 'XML InvalidJobId');
    await expectApiError('openapi-v3', v3.callRaw('DescribePreCheckStatus',
      { DtsJobId: passed, JobCode: '05', Format: 'XML' }, { bodyType: 'string' }),
    'InvalidJobCode', 400, 'XML InvalidJobCode');
    const wrong = new SdkClient('openapi-v3', { keySecret: `${env.keySecret}x` });
    await expectApiError('openapi-v3', wrong.callRaw('DescribePreCheckStatus',
      { DtsJobId: passed, JobCode: '01', Format: 'XML' }, { bodyType: 'string' }),
    'SignatureDoesNotMatch', 400, 'XML SignatureDoesNotMatch');
  });

  it('raw: XML error is text/xml;charset=utf-8 with root <Error>; success is application/xml',
    async () => {
      const e = await rawV1({ DtsJobId: `nosuch${env.run.replace(/-/g, '')}`, JobCode: '01' });
      assert.equal(e.status, 404);
      assert.equal(e.headers['content-type'], 'text/xml;charset=utf-8',
        'openapi V3 parses XML errors only with exactly this content type');
      assert.equal(e.headers['content-encoding'], undefined, 'no compression');
      const doc = await parseXml(e.body);
      assert.deepEqual(Object.keys(doc), ['Error']);
      const err = doc.Error;
      for (const k of ['RequestId', 'HostId', 'Code', 'Message', 'Recommend']) {
        assert.ok(err[k] && err[k].length === 1, `<Error> lacks <${k}>`);
      }
      assert.equal(err.Code[0], 'InvalidJobId');
      assert.match(err.RequestId[0], UUID_RE);

      const bad = await rawV1({ DtsJobId: passed, JobCode: '01' }, `${env.keySecret}x`);
      assert.equal(bad.status, 400);
      assert.equal((await parseXml(bad.body)).Error.Code[0], 'SignatureDoesNotMatch');

      const ok = await rawV1({ DtsJobId: passed, JobCode: '01' });
      assert.equal(ok.status, 200, ok.body.slice(0, 300));
      assert.match(String(ok.headers['content-type']), /^application\/xml/i);
      const body = (await parseXml(ok.body)).DescribePreCheckStatusResponse;
      assert.equal(body.State[0], 'Finished');
    });

  it('pop-core cannot read XML (PROTOCOL.md sec. 6): Format=XML gives a SyntaxError',
    async () => {
      // Documented client behaviour; it also shows that dtsd honours the Format
      // parameter as pop-core sends it.
      // pop-core parses with json-bigint, which throws a plain object named
      // "SyntaxError" (not an instance of the built-in class).
      const pop = new SdkClient('pop-get');
      await assert.rejects(pop.call('DescribeDtsJobDetail', { DtsJobId: passed, Format: 'XML' }),
        (e) => e && e.name === 'SyntaxError' && /^<\?xml/.test(String(e.text)));
    });
});
