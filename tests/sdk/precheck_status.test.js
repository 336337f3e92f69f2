'use strict';
// DescribePreCheckStatus against its contract (shared/seed/DescribePreCheckStatus.txt):
// every field with the seed's type through every client flavour, paging
// defaults and bounds, parameter errors, and the pop-core "Code":"01" quirk
// of PROTOCOL.md sec. 6.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const env = require('./lib/env');
const { FLAVORS, SdkClient, errorInfo } = require('./lib/clients');
const { expectApiError } = require('./lib/expect');
const { assertPreCheckStatus } = require('./lib/contract');
const jobs = require('./lib/jobs');

const admin = new SdkClient('openapi-v3');
let passed;   // job id: precheck-only job that ended Finished
let failed;   // job id: precheck failed (wrong source password)

function withoutRequestId(r) {
  const { RequestId, ...rest } = r;
  return rest;
}

before(async () => {
  const start = async (opts, want, failOn) => {
    const { jobId } = await jobs.createConfiguredJob(admin, opts);
    await admin.call('StartDtsJob', { DtsJobId: jobId });
    await jobs.waitStatus(admin, jobId, want, { failOn });
    return jobId;
  };
  [passed, failed] = await Promise.all([
    start({ name: `${env.run}-status-pass` }, ['Finished'], ['PrecheckFailed', 'MigrationFailed']),
    start({ name: `${env.run}-status-fail`, src: { password: `bad-${env.run}` } },
      ['PrecheckFailed'], ['PreCheckPass', 'Finished']),
  ]);
});

after(async () => {
  for (const id of [passed, failed]) {
    if (id) await admin.call('DeleteDtsJob', { DtsJobId: id }).catch(() => {});
  }
});

describe('DescribePreCheckStatus contract (seed field types)', { concurrency: true }, () => {
  for (const flavor of FLAVORS) {
    it(`${flavor}: passed and failed precheck replies match the seed`, async () => {
      const c = new SdkClient(flavor);
      const ok = await jobs.precheckStatus(c, passed);
      assertPreCheckStatus(ok);
      assert.equal(ok.State, 'Finished');
      assert.equal(ok.JobName, 'Precheck', 'JobName of step 01 (seed: "Precheck")');
      assert.ok(ok.JobId.length > 0, 'JobId (precheck step id) is empty');
      assert.ok(ok.JobProgress.length >= 2, 'at least CHECK_CONN_SRC and CHECK_CONN_DEST');
      assert.equal(ok.ErrorItem, 0);
      assert.equal(ok.Total, ok.TotalRecordCount);
      for (const p of ok.JobProgress) {
        assert.equal(p.Names, `${p.Item}_DETAIL`, 'Names = Item + "_DETAIL" (ACTIONS.md sec. 7)');
        assert.equal(p.IgnoreFlag, 'N');
        assert.equal(p.Skip, false);
      }
      const orders = ok.JobProgress.map((p) => p.OrderNum);
      assert.deepEqual(orders, [...orders].sort((a, b) => a - b), 'items ordered by OrderNum');

      const bad = await jobs.precheckStatus(c, failed);
      assertPreCheckStatus(bad);
      assert.equal(bad.State, 'Failed');
      const src = jobs.item(bad, 'CHECK_CONN_SRC');
      assert.ok(src && src.State === 'Failed', 'CHECK_CONN_SRC must fail');
      assert.equal(bad.ErrorItem, bad.JobProgress.filter((p) => p.State === 'Failed').length,
        'ErrorItem counts the failed items');
      assert.ok(src.Logs.length >= 1, 'the failed item has Logs');
      for (const l of src.Logs) assert.ok(['ERROR', 'WARN', 'INFO'].includes(l.LogLevel), l.LogLevel);
      assert.ok(src.Logs.some((l) => l.LogLevel === 'ERROR'), 'an ERROR log for a failed item');
      assert.ok(src.ErrMsg.length > 0 && src.RepairMethod.length > 0, 'ErrMsg/RepairMethod');
      assert.ok(!JSON.stringify(bad).includes(`bad-${env.run}`), 'reply shows the password');

      // The same job reads the same through every client.
      const v3 = await jobs.precheckStatus(admin, passed);
      assert.deepEqual(withoutRequestId(ok), withoutRequestId(v3), 'differs from openapi V3');
    });
  }
});

describe('DescribePreCheckStatus paging and parameters', { concurrency: true }, () => {
  for (const flavor of FLAVORS) {
    it(`${flavor}: defaults 1/20, PageNo/PageSize, other JobCodes`, async () => {
      const c = new SdkClient(flavor);
      const all = await jobs.precheckStatus(c, passed);
      assert.equal(all.PageNumber, 1, 'default PageNo is 1');
      assert.equal(all.PageRecordCount, 20, 'default PageSize is 20');
      const n = all.TotalRecordCount;
      assert.ok(n >= 2);

      const first = await jobs.precheckStatus(c, passed, { PageNo: 1, PageSize: 1 });
      assertPreCheckStatus(first, { pageNumber: 1, pageSize: 1 });
      assert.equal(first.JobProgress.length, 1);
      assert.equal(first.TotalRecordCount, n, 'TotalRecordCount counts all pages');
      const second = await jobs.precheckStatus(c, passed, { PageNo: 2, PageSize: 1 });
      assertPreCheckStatus(second, { pageNumber: 2, pageSize: 1 });
      assert.equal(second.JobProgress.length, 1);
      assert.notEqual(second.JobProgress[0].Item, first.JobProgress[0].Item, 'page 2 = page 1');
      assert.deepEqual([first.JobProgress[0], second.JobProgress[0]], all.JobProgress.slice(0, 2));
      const beyond = await jobs.precheckStatus(c, passed, { PageNo: n + 1, PageSize: 1 });
      assert.equal(beyond.JobProgress.length, 0, 'a page past the end is empty');
      assert.equal(beyond.TotalRecordCount, n);
      const big = await jobs.precheckStatus(c, passed, { PageSize: 1000 });
      assert.equal(big.JobProgress.length, n);

      for (const code of ['02', '03', '04']) {
        const r = await c.call('DescribePreCheckStatus', { DtsJobId: passed, JobCode: code,
          StructType: code === '04' ? 'after' : 'before' });
        assertPreCheckStatus(r, { code });
        assert.equal(r.State, 'NotStarted', `step ${code} of a precheck-only job never ran`);
        assert.equal(r.JobProgress.length, 0);
      }
    });

    it(`${flavor}: InvalidPageSize, InvalidJobCode, InvalidJobId, Missing*`, async () => {
      const c = new SdkClient(flavor);
      const q = (extra) => c.call('DescribePreCheckStatus', { DtsJobId: passed, JobCode: '01', ...extra });
      await expectApiError(flavor, q({ PageSize: 0 }), 'InvalidPageSize', 400, 'PageSize=0');
      await expectApiError(flavor, q({ PageSize: 100000 }), 'InvalidPageSize', 400, 'PageSize=100000');
      await expectApiError(flavor, q({ PageSize: 'ten' }), 'InvalidPageSize', 400, 'PageSize=ten');
      await expectApiError(flavor, q({ PageNo: 0 }), 'InvalidPageNo', 400, 'PageNo=0');
      await expectApiError(flavor, q({ JobCode: '05' }), 'InvalidJobCode', 400, 'JobCode=05');
      await expectApiError(flavor, q({ StructType: 'sideways' }), 'InvalidStructType', 400,
        'StructType=sideways');
      await expectApiError(flavor, q({ DtsJobId: `nosuchjob${env.run.replace(/-/g, '')}` }),
        'InvalidJobId', 404, 'unknown DtsJobId');
      await expectApiError(flavor, c.call('DescribePreCheckStatus', { JobCode: '01' }),
        'MissingDtsJobId', 400, 'no DtsJobId');
      await expectApiError(flavor, c.call('DescribePreCheckStatus', { DtsJobId: passed }),
        'MissingJobCode', 400, 'no JobCode');
    });
  }
});

describe('pop-core and "Code":"01" in a success reply (PROTOCOL.md sec. 6 quirk)', () => {
  for (const flavor of ['pop-get', 'pop-post']) {
    it(`${flavor}: without codes:['01',...] pop-core throws "01Error" on a success reply`,
      async () => {
        // Expected behaviour, as against Alibaba itself: the reply mirrors the
        // real API ("Code":"01", HTTP 200) and pop-core treats any Code outside
        // its codes set as an error. Callers pass codes: ['01','02','03','04'].
        const strict = new SdkClient(flavor, { codes: false });
        let err;
        try {
          await strict.call('DescribePreCheckStatus', { DtsJobId: passed, JobCode: '01' });
        } catch (e) {
          err = e;
        }
        assert.ok(err, 'pop-core without codes accepted "Code":"01" (did the reply drop Code?)');
        const info = errorInfo(flavor, err);
        assert.equal(info.name, '01Error');
        assert.equal(info.code, '01');
        assert.equal(info.status, 200, 'the reply itself is a success (HTTP 200)');
        assert.equal(info.data.Success, true);
        assert.ok(Array.isArray(info.data.JobProgress) && info.data.JobProgress.length >= 2);

        // Other actions carry no Code, so the strict client works for them.
        const d = await strict.call('DescribeDtsJobDetail', { DtsJobId: passed });
        assert.equal(d.DtsJobId, passed);
        // And with codes configured the same call succeeds.
        const ok = await new SdkClient(flavor).call('DescribePreCheckStatus',
          { DtsJobId: passed, JobCode: '01' });
        assert.equal(ok.Code, '01');
      });
  }
});
