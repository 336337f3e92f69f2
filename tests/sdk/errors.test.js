'use strict';
// Errors as each SDK receives them (PROTOCOL.md sec. 6 "What the caller sees",
// sec. 7 codes and statuses): wrong secret, expired timestamp, reused nonce,
// unknown key, unknown action, missing and unknown DtsJobId. The clock and
// nonce are replaced the way PROTOCOL.md sec. 9 did: Date in this process
// for one call, kitx.makeNonce for pop-core, tea-util getNonce for openapi.
// The tests of this file run one after another, since they patch globals.

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const env = require('./lib/env');
const { FLAVORS, SdkClient, kitx, TeaUtil } = require('./lib/clients');
const { assertOk, expectApiError } = require('./lib/expect');

const RealDate = Date;

// Runs fn() with `new Date()` / Date.now() `offsetMs` in the past.
async function withClockBehind(offsetMs, fn) {
  class PastDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(RealDate.now() - offsetMs); else super(...args);
    }

    static now() { return RealDate.now() - offsetMs; }
  }
  global.Date = PastDate;
  try {
    return await fn();
  } finally {
    global.Date = RealDate;
  }
}

// Runs fn() with every nonce the client makes equal to `nonce`.
async function withFixedNonce(flavor, nonce, fn) {
  const isPop = flavor.startsWith('pop');
  const owner = isPop ? kitx : TeaUtil;
  const name = isPop ? 'makeNonce' : 'getNonce';
  const orig = owner[name];
  owner[name] = () => nonce;
  try {
    return await fn();
  } finally {
    owner[name] = orig;
  }
}

describe('errors reaching each SDK', () => {
  for (const flavor of FLAVORS) {
    describe(flavor, () => {
      const c = new SdkClient(flavor);
      const probe = (client = c) => client.call('DescribeDtsJobs', { PageSize: 1 });

      it('the test key works (baseline)', async () => {
        assertOk(await probe(), 'DescribeDtsJobs');
      });

      it('wrong secret -> 400 SignatureDoesNotMatch', async () => {
        const bad = new SdkClient(flavor, { keySecret: `${env.keySecret}x` });
        await expectApiError(flavor, probe(bad), 'SignatureDoesNotMatch', 400);
      });

      it('unknown AccessKeyId -> 404 InvalidAccessKeyId.NotFound', async () => {
        const bad = new SdkClient(flavor, { keyId: `NoSuchKey${crypto.randomBytes(4).toString('hex')}` });
        await expectApiError(flavor, probe(bad), 'InvalidAccessKeyId.NotFound', 404);
      });

      it('clock 20 minutes behind -> 400 InvalidTimeStamp.Expired', async () => {
        await withClockBehind(20 * 60e3, () =>
          expectApiError(flavor, probe(), 'InvalidTimeStamp.Expired', 400));
        // 5 minutes is inside the +-15 min window.
        await withClockBehind(5 * 60e3, async () => assertOk(await probe(), 'clock 5 min behind'));
      });

      it('reused nonce -> 400 SignatureNonceUsed on the second call', async () => {
        const nonce = crypto.randomBytes(16).toString('hex');
        await withFixedNonce(flavor, nonce, async () => {
          assertOk(await probe(), 'first call with the nonce');
          await expectApiError(flavor, probe(), 'SignatureNonceUsed', 400, 'second call');
        });
        assertOk(await probe(), 'fresh nonces work again');
      });

      it('a failed signature does not burn its nonce', async () => {
        // PROTOCOL.md sec. 5: record a nonce only after its signature verified.
        const nonce = crypto.randomBytes(16).toString('hex');
        const bad = new SdkClient(flavor, { keySecret: `${env.keySecret}x` });
        await withFixedNonce(flavor, nonce, async () => {
          await expectApiError(flavor, probe(bad), 'SignatureDoesNotMatch', 400);
          assertOk(await probe(), 'the same nonce, correctly signed');
        });
      });

      it('unknown action -> 404 InvalidAction.NotFound', async () => {
        await expectApiError(flavor, c.call('DescribeNoSuchThing', {}),
          'InvalidAction.NotFound', 404);
      });

      it('missing DtsJobId -> 400 MissingDtsJobId; unknown -> 404 InvalidJobId', async () => {
        for (const action of ['StartDtsJob', 'SuspendDtsJob', 'StopDtsJob', 'ResetDtsJob',
          'DeleteDtsJob', 'DescribeDtsJobDetail']) {
          await expectApiError(flavor, c.call(action, {}), 'MissingDtsJobId', 400, action);
          await expectApiError(flavor, c.call(action, { DtsJobId: 'nosuchjob000000' }),
            'InvalidJobId', 404, `${action} unknown job`);
        }
        await expectApiError(flavor, c.call('SkipPreCheck',
          { Skip: 'true', SkipPreCheckItems: '["CHECK_SAME_OBJ"]' }), 'MissingDtsJobId', 400,
        'SkipPreCheck');
      });

      it('ConfigureDtsJob parameter errors name the parameter', async () => {
        const jobs = require('./lib/jobs');
        const p = jobs.configureParams({ name: `${env.run}-${flavor}-bad` });
        const without = (k) => { const q = { ...p }; delete q[k]; return q; };
        await expectApiError(flavor, c.call('ConfigureDtsJob', without('DtsJobName')),
          'MissingDtsJobName', 400);
        await expectApiError(flavor, c.call('ConfigureDtsJob', without('StructureInitialization')),
          'MissingStructureInitialization', 400);
        await expectApiError(flavor, c.call('ConfigureDtsJob', { ...p, SourceEndpointPort: '99999' }),
          'InvalidSourceEndpointPort', 400);
        await expectApiError(flavor, c.call('ConfigureDtsJob', { ...p, DbList: '{not json' }),
          'InvalidDbList', 400);
        const pg = jobs.configureParams({ name: `${env.run}-${flavor}-bad`, dest: 'pg' });
        delete pg.DestinationEndpointDataBaseName;
        await expectApiError(flavor, c.call('ConfigureDtsJob', pg),
          'MissingDestinationEndpointDataBaseName', 400, 'PostgreSQL without a database');
        await expectApiError(flavor, c.call('ConfigureDtsJob', { ...p, DtsJobId: 'nosuchjob000000' }),
          'InvalidJobId', 404, 'ConfigureDtsJob of an unknown job');
      });
    });
  }
});
