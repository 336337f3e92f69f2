'use strict';
// Every implemented action, through every client flavour (pop-core GET and
// POST, openapi-client V1 and V3), against the real dtsd and the harness
// databases: the migration-job lifecycle of ACTIONS.md sec. 1-3 with a
// precheck-only job (all module switches false), its state effects, and the
// state errors (403 OperationDenied.JobStatus, 404 InvalidJobId).

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const env = require('./lib/env');
const { FLAVORS, SdkClient } = require('./lib/clients');
const { assertOk, expectApiError } = require('./lib/expect');
const { assertPreCheckStatus } = require('./lib/contract');
const jobs = require('./lib/jobs');
const { startSilentServer } = require('./lib/hang');

const DENIED = ['OperationDenied.JobStatus', 403];
const GONE = ['InvalidJobId', 404];

function assertNoSecret(body, secret, what) {
  assert.ok(!JSON.stringify(body).includes(secret), `${what} shows a password`);
}

async function assertDeleted(c, jobId) {
  await expectApiError(c.flavor, c.call('DescribeDtsJobDetail', { DtsJobId: jobId }), ...GONE,
    'DescribeDtsJobDetail after DeleteDtsJob');
  // Terraform treats InvalidJobId on delete as "already gone" (ACTIONS.md 2.7).
  await expectApiError(c.flavor, c.call('DeleteDtsJob', { DtsJobId: jobId }), ...GONE,
    'DeleteDtsJob twice');
}

async function waitFinished(c, jobId) {
  await jobs.waitStatus(c, jobId, ['PreCheckPass', 'Finished'],
    { failOn: ['PrecheckFailed', 'MigrationFailed', 'Failed'] });
  return jobs.waitStatus(c, jobId, ['Finished'], { timeoutMs: 10000,
    failOn: ['PrecheckFailed', 'MigrationFailed', 'Failed'] });
}

describe('job lifecycle through each SDK', { concurrency: true }, () => {
  for (const flavor of FLAVORS) {
    describe(flavor, { concurrency: true }, () => {
      const c = new SdkClient(flavor);
      const name = (what) => `${env.run}-${flavor}-${what}`;

      it('MariaDB -> MariaDB: create, configure, start, precheck passes, stop/reset/delete',
        async () => {
          const { jobId, instanceId } = await jobs.createInstance(c);
          let d = await jobs.detail(c, jobId);
          assert.equal(d.Status, 'NotConfigured', 'a bought job starts NotConfigured');
          assert.equal(d.DtsInstanceID, instanceId);

          const cfg = await c.call('ConfigureDtsJob',
            jobs.configureParams({ name: name('happy'), jobId }));
          assertOk(cfg, 'ConfigureDtsJob');
          assert.equal(cfg.DtsJobId, jobId);
          assert.equal(cfg.DtsInstanceId, instanceId);

          d = await jobs.detail(c, jobId);
          assert.equal(d.Status, 'NotStarted', 'autoStartModulesAfterConfig=none waits');
          assert.equal(d.DtsJobName, name('happy'));
          assert.equal(d.JobType, 'MIGRATION');
          assert.deepEqual(d.MigrationMode && {
            s: d.MigrationMode.StructureInitialization, f: d.MigrationMode.DataInitialization,
            i: d.MigrationMode.DataSynchronization }, { s: false, f: false, i: false });
          assert.equal(d.SourceEndpoint.InstanceType, 'OTHER');
          assert.equal(d.SourceEndpoint.EngineName, 'MySQL');
          assert.equal(d.SourceEndpoint.Ip, env.my.host);
          assert.equal(String(d.SourceEndpoint.Port), String(env.my.port));
          assert.equal(d.SourceEndpoint.UserName, env.my.user);
          assert.equal(d.DestinationEndpoint.EngineName, 'MySQL');
          assert.equal(String(d.DestinationEndpoint.Port), String(env.my.port));
          const db = JSON.parse(d.DbObject)[env.sourceDb];
          assert.ok(db, `DbObject ${d.DbObject} lacks ${env.sourceDb}`);
          assert.equal(db.name, env.sourceDb);
          assert.equal(db.all, true);
          assert.equal(JSON.parse(d.Reserved).autoStartModulesAfterConfig, 'none');
          assertNoSecret(d, env.my.password, 'DescribeDtsJobDetail');

          await expectApiError(flavor, c.call('SuspendDtsJob', { DtsJobId: jobId }), ...DENIED,
            'SuspendDtsJob of a NotStarted job');
          assert.equal((await jobs.detail(c, jobId)).Status, 'NotStarted');

          assertOk(await c.call('StartDtsJob', { DtsJobId: jobId }), 'StartDtsJob');
          d = await waitFinished(c, jobId);
          assert.equal(d.PrecheckStatus.Status, 'Finished');

          const st = await jobs.precheckStatus(c, jobId);
          assertPreCheckStatus(st);
          assert.equal(st.State, 'Finished');
          assert.equal(st.ErrorItem, 0);
          for (const code of ['CHECK_CONN_SRC', 'CHECK_CONN_DEST']) {
            const it = jobs.item(st, code);
            assert.ok(it, `${code} missing from JobProgress ${JSON.stringify(st.JobProgress)}`);
            assert.equal(it.State, 'Success', `${code}: ${it.ErrMsg} ${JSON.stringify(it.Logs)}`);
            assert.equal(it.Names, `${code}_DETAIL`);
          }

          const list = await c.call('DescribeDtsJobs', { Type: 'name', Params: name('happy') });
          assertOk(list, 'DescribeDtsJobs');
          const row = list.DtsJobList.find((j) => j.DtsJobId === jobId);
          assert.ok(row, 'the job is not in DtsJobList');
          assert.equal(row.Status, 'Finished');
          assert.equal(row.DtsInstanceID, instanceId);

          await expectApiError(flavor, c.call('StopDtsJob', { DtsJobId: jobId }), ...DENIED,
            'StopDtsJob of a Finished job');
          await expectApiError(flavor, c.call('StartDtsJob', { DtsJobId: jobId }), ...DENIED,
            'StartDtsJob of a Finished job');

          assertOk(await c.call('ResetDtsJob', { DtsJobId: jobId }), 'ResetDtsJob');
          d = await jobs.detail(c, jobId);
          assert.equal(d.Status, 'NotConfigured', 'ResetDtsJob -> NotConfigured (ACTIONS.md 2.6)');
          assert.equal(d.DtsInstanceID, instanceId, 'ResetDtsJob keeps the ids');
          assert.equal((await jobs.precheckStatus(c, jobId)).JobProgress.length, 0,
            'ResetDtsJob must drop the precheck results');
          await expectApiError(flavor, c.call('StartDtsJob', { DtsJobId: jobId }), ...DENIED,
            'StartDtsJob of a reset (NotConfigured) job');

          assertOk(await c.call('DeleteDtsJob', { DtsJobId: jobId }), 'DeleteDtsJob');
          await assertDeleted(c, jobId);
        });

      it('MariaDB -> PostgreSQL (DestinationEndpointDataBaseName): precheck passes',
        async () => {
          const { jobId } = await jobs.createConfiguredJob(c, { name: name('pg'), dest: 'pg' });
          const d = await jobs.detail(c, jobId);
          assert.equal(d.Status, 'NotStarted');
          assert.equal(d.DestinationEndpoint.EngineName, 'PostgreSQL');
          assert.equal(d.DestinationEndpoint.DatabaseName, env.pg.database);
          assertNoSecret(d, env.pg.password, 'DescribeDtsJobDetail');
          assertOk(await c.call('StartDtsJob', { DtsJobId: jobId }), 'StartDtsJob');
          await waitFinished(c, jobId);
          const st = await jobs.precheckStatus(c, jobId);
          assertPreCheckStatus(st);
          const dest = jobs.item(st, 'CHECK_CONN_DEST');
          assert.ok(dest, 'CHECK_CONN_DEST missing');
          assert.equal(dest.State, 'Success', `${dest.ErrMsg} ${JSON.stringify(dest.Logs)}`);
          assert.equal(jobs.item(st, 'CHECK_CONN_SRC').State, 'Success');
          assertOk(await c.call('DeleteDtsJob', { DtsJobId: jobId }), 'DeleteDtsJob');
          await assertDeleted(c, jobId);
        });

      it('wrong source password: PrecheckFailed; CHECK_CONN_SRC cannot be skipped; ' +
        'reconfigure and start again', async () => {
        const badPw = `wrong-pw-${env.run}`;
        const { jobId } = await jobs.createConfiguredJob(c,
          { name: name('badpw'), src: { password: badPw } });
        assertOk(await c.call('StartDtsJob', { DtsJobId: jobId }), 'StartDtsJob');
        let d = await jobs.waitStatus(c, jobId, ['PrecheckFailed'],
          { failOn: ['PreCheckPass', 'Finished', 'Migrating'] });
        assertNoSecret(d, badPw, 'DescribeDtsJobDetail');

        const st = await jobs.precheckStatus(c, jobId);
        assertPreCheckStatus(st);
        assertNoSecret(st, badPw, 'DescribePreCheckStatus');
        assert.equal(st.State, 'Failed');
        assert.ok(st.ErrorItem >= 1, `ErrorItem ${st.ErrorItem}`);
        const src = jobs.item(st, 'CHECK_CONN_SRC');
        assert.ok(src, 'CHECK_CONN_SRC missing');
        assert.equal(src.State, 'Failed');
        assert.equal(src.CanSkip, false, 'a connection check is not skippable');
        assert.equal(src.Skip, false);
        assert.ok(src.Logs.length >= 1, 'a failed item explains itself in Logs');
        assert.ok(src.ErrMsg.length > 0, 'a failed item has ErrMsg');
        assert.equal(jobs.item(st, 'CHECK_CONN_DEST').State, 'Success');

        await expectApiError(flavor, c.call('SkipPreCheck', {
          DtsJobId: jobId, Skip: 'true', JobId: st.JobId,
          SkipPreCheckItems: '["CHECK_CONN_SRC"]', SkipPreCheckNames: '["CHECK_CONN_SRC_DETAIL"]',
        }), 'InvalidSkipPreCheckItems', 400, 'SkipPreCheck CHECK_CONN_SRC');
        await expectApiError(flavor, c.call('SkipPreCheck', {
          DtsJobId: jobId, Skip: 'true', SkipPreCheckItems: '["CHECK_NO_SUCH_ITEM"]',
        }), 'InvalidSkipPreCheckItems', 400, 'SkipPreCheck of an unknown item');
        assert.equal((await jobs.detail(c, jobId)).Status, 'PrecheckFailed');
        assert.equal(jobs.item(await jobs.precheckStatus(c, jobId), 'CHECK_CONN_SRC').Skip, false);

        // Un-skipping (Skip=false) is always allowed and answers with the step ids.
        const un = await c.call('SkipPreCheck', { DtsJobId: jobId, Skip: 'false',
          SkipPreCheckItems: '["CHECK_CONN_SRC"]' });
        assertOk(un, 'SkipPreCheck Skip=false');
        assert.equal(un.ScheduleJobId, st.JobId, 'ScheduleJobId = precheck step id');
        assert.equal(un.MigrationJobId, st.JobId, 'MigrationJobId = precheck step id');
        assert.equal(un.SkipItems, 'CHECK_CONN_SRC');

        // Fix the cause and start again (ACTIONS.md sec. 1 step 3).
        const cfg = await c.call('ConfigureDtsJob',
          jobs.configureParams({ name: name('badpw'), jobId }));
        assertOk(cfg, 'ConfigureDtsJob of a PrecheckFailed job');
        assert.equal((await jobs.detail(c, jobId)).Status, 'NotStarted');
        assertOk(await c.call('StartDtsJob', { DtsJobId: jobId }), 'StartDtsJob');
        d = await waitFinished(c, jobId);
        assert.equal(jobs.item(await jobs.precheckStatus(c, jobId), 'CHECK_CONN_SRC').State,
          'Success');
        assertOk(await c.call('DeleteDtsJob', { DtsJobId: jobId }), 'DeleteDtsJob');
        await assertDeleted(c, jobId);
      });

      it('a running precheck: SuspendDtsJob, StartDtsJob resumes, StopDtsJob ends it',
        async () => {
          const silent = await startSilentServer();
          try {
            const { jobId } = await jobs.createConfiguredJob(c,
              { name: name('hang'), src: { port: silent.port } });
            assertOk(await c.call('StartDtsJob', { DtsJobId: jobId }), 'StartDtsJob');
            assert.equal((await jobs.detail(c, jobId)).Status, 'Prechecking');
            await expectApiError(flavor, c.call('StartDtsJob', { DtsJobId: jobId }), ...DENIED,
              'StartDtsJob of a running job');

            assertOk(await c.call('SuspendDtsJob', { DtsJobId: jobId }), 'SuspendDtsJob');
            assert.equal((await jobs.detail(c, jobId)).Status, 'Suspending');
            await expectApiError(flavor, c.call('SuspendDtsJob', { DtsJobId: jobId }),
              ...DENIED, 'SuspendDtsJob of a suspended job');

            assertOk(await c.call('StartDtsJob', { DtsJobId: jobId }), 'StartDtsJob (resume)');
            assert.equal((await jobs.detail(c, jobId)).Status, 'Prechecking',
              'a job suspended in its precheck resumes the precheck');

            assertOk(await c.call('StopDtsJob', { DtsJobId: jobId }), 'StopDtsJob');
            const d = await jobs.detail(c, jobId);
            assert.equal(d.Status, 'Finished', 'StopDtsJob -> Finished (ACTIONS.md 2.5)');
            await expectApiError(flavor, c.call('StartDtsJob', { DtsJobId: jobId }), ...DENIED,
              'StartDtsJob of a stopped job');

            assertOk(await c.call('DeleteDtsJob', { DtsJobId: jobId }), 'DeleteDtsJob');
            await assertDeleted(c, jobId);
          } finally {
            await silent.close();
          }
        });

      it('DescribeDtsJobs: paging, filters, WithoutDbList, deleted jobs disappear', async () => {
        const prefix = name('page-');
        const ids = [];
        for (let i = 0; i < 3; i++) {
          ids.push((await jobs.configureNewJob(c, { name: `${prefix}${i}` })).jobId);
        }
        const page = async (extra) => {
          const r = await c.call('DescribeDtsJobs', { Type: 'name', Params: prefix, ...extra });
          assertOk(r, 'DescribeDtsJobs');
          assert.ok(Array.isArray(r.DtsJobList), 'DtsJobList is not an array');
          assert.equal(r.PageRecordCount, r.DtsJobList.length, 'PageRecordCount');
          return r;
        };
        const all = await page({});
        assert.equal(all.PageNumber, 1, 'default PageNumber');
        assert.equal(all.TotalRecordCount, 3);
        assert.deepEqual(all.DtsJobList.map((j) => j.DtsJobId).sort(), [...ids].sort());
        for (const j of all.DtsJobList) {
          assert.equal(j.Status, 'NotStarted');
          assert.equal(j.JobType, 'MIGRATION');
          assert.equal(j.DtsInstanceID, `dts${j.DtsJobId}`);
          assert.ok(j.DtsJobName.startsWith(prefix));
          assert.equal(typeof j.DbObject, 'string');
          assert.ok(JSON.parse(j.DbObject)[env.sourceDb], 'DbObject');
          assertNoSecret(j, env.my.password, 'DtsJobList');
        }

        const p1 = await page({ PageSize: 2, PageNumber: 1 });
        const p2 = await page({ PageSize: 2, PageNumber: 2 });
        const p3 = await page({ PageSize: 2, PageNumber: 3 });
        assert.equal(p1.DtsJobList.length, 2);
        assert.equal(p2.DtsJobList.length, 1);
        assert.equal(p3.DtsJobList.length, 0);
        assert.equal(p2.PageNumber, 2);
        for (const p of [p1, p2, p3]) assert.equal(p.TotalRecordCount, 3);
        const paged = [...p1.DtsJobList, ...p2.DtsJobList].map((j) => j.DtsJobId);
        assert.deepEqual([...paged].sort(), [...ids].sort(), 'pages overlap or miss jobs');

        const one = await c.call('DescribeDtsJobs', { DtsJobId: ids[1] });
        assertOk(one, 'DescribeDtsJobs DtsJobId=');
        assert.deepEqual(one.DtsJobList.map((j) => j.DtsJobId), [ids[1]]);
        const lean = await page({ WithoutDbList: 'true' });
        assert.ok(lean.DtsJobList.every((j) => !('DbObject' in j)), 'WithoutDbList=true');
        const unfiltered = await c.call('DescribeDtsJobs', { PageSize: 100 });
        assert.ok(unfiltered.TotalRecordCount >= 3, 'unfiltered TotalRecordCount');

        await expectApiError(flavor, c.call('DescribeDtsJobs', { PageSize: 0 }),
          'InvalidPageSize', 400, 'DescribeDtsJobs PageSize=0');

        for (const id of ids) assertOk(await c.call('DeleteDtsJob', { DtsJobId: id }), 'DeleteDtsJob');
        const none = await page({});
        assert.equal(none.TotalRecordCount, 0, 'deleted jobs are still listed');
        assert.equal(none.DtsJobList.length, 0);
      });
    });
  }
});
