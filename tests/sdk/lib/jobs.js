'use strict';
// Building and driving migration jobs through any client flavour:
// ConfigureDtsJob parameters for the harness databases (precheck-only:
// all three module switches false, Reserve autoStartModulesAfterConfig=none),
// the buy-first flow (CreateDtsInstance, then ConfigureDtsJob), and polling
// DescribeDtsJobDetail until a status is reached.

const assert = require('node:assert/strict');
const env = require('./env');
const { assertOk } = require('./expect');

const DB_LIST = { [env.sourceDb]: { name: env.sourceDb, all: true } };
const RESERVE = { autoStartModulesAfterConfig: 'none' };
const POLL_MS = 250;

// dest: 'mariadb' | 'pg'; src: overrides of the source endpoint
// ({password, port, ip}); name: DtsJobName.
function configureParams({ name, dest = 'mariadb', src = {}, jobId } = {}) {
  const p = {
    DtsJobName: name,
    JobType: 'MIGRATION',
    SourceEndpointInstanceType: 'OTHER',
    SourceEndpointEngineName: 'MySQL',
    SourceEndpointIP: src.ip ?? env.my.host,
    SourceEndpointPort: src.port ?? env.my.port,
    SourceEndpointUserName: src.user ?? env.my.user,
    SourceEndpointPassword: src.password ?? env.my.password,
    DestinationEndpointInstanceType: 'OTHER',
    StructureInitialization: 'false',
    DataInitialization: 'false',
    DataSynchronization: 'false',
    DbList: JSON.stringify(DB_LIST),
    Reserve: JSON.stringify(RESERVE),
  };
  if (dest === 'pg') {
    Object.assign(p, {
      DestinationEndpointEngineName: 'PostgreSQL',
      DestinationEndpointIP: env.pg.host,
      DestinationEndpointPort: env.pg.port,
      DestinationEndpointUserName: env.pg.user,
      DestinationEndpointPassword: env.pg.password,
      DestinationEndpointDataBaseName: env.pg.database,
    });
  } else {
    Object.assign(p, {
      DestinationEndpointEngineName: 'MySQL',
      DestinationEndpointIP: env.my.host,
      DestinationEndpointPort: env.my.port,
      DestinationEndpointUserName: env.my.user,
      DestinationEndpointPassword: env.my.password,
    });
  }
  if (jobId) p.DtsJobId = jobId;
  return p;
}

// CreateDtsInstance (buy-first): a NotConfigured job. Returns {jobId, instanceId}.
async function createInstance(client, { dest = 'mariadb' } = {}) {
  const r = await client.call('CreateDtsInstance', {
    Type: 'MIGRATION', PayType: 'PostPaid', InstanceClass: 'small', Quantity: 1,
    SourceEndpointEngineName: 'MySQL',
    DestinationEndpointEngineName: dest === 'pg' ? 'PostgreSQL' : 'MySQL',
    SourceRegion: 'local', DestinationRegion: 'local',
  });
  assertOk(r, 'CreateDtsInstance');
  assert.equal(typeof r.JobId, 'string');
  assert.ok(r.JobId.length > 0, 'CreateDtsInstance: empty JobId');
  assert.equal(r.InstanceId, `dts${r.JobId}`, 'InstanceId must be "dts" + JobId (ACTIONS.md sec. 0)');
  return { jobId: r.JobId, instanceId: r.InstanceId };
}

// CreateDtsInstance + ConfigureDtsJob: a NotStarted precheck-only job.
async function createConfiguredJob(client, opts) {
  const { jobId, instanceId } = await createInstance(client, opts);
  const r = await client.call('ConfigureDtsJob', configureParams({ ...opts, jobId }));
  assertOk(r, 'ConfigureDtsJob');
  assert.equal(r.DtsJobId, jobId, 'ConfigureDtsJob must configure the bought job');
  assert.equal(r.DtsInstanceId, instanceId);
  return { jobId, instanceId };
}

// Configure-first: ConfigureDtsJob without DtsJobId creates a NotStarted job.
async function configureNewJob(client, opts) {
  const r = await client.call('ConfigureDtsJob', configureParams(opts));
  assertOk(r, 'ConfigureDtsJob');
  assert.ok(typeof r.DtsJobId === 'string' && r.DtsJobId.length > 0, 'no DtsJobId');
  assert.equal(r.DtsInstanceId, `dts${r.DtsJobId}`);
  return { jobId: r.DtsJobId, instanceId: r.DtsInstanceId };
}

async function detail(client, jobId) {
  const r = await client.call('DescribeDtsJobDetail', { DtsJobId: jobId });
  assertOk(r, 'DescribeDtsJobDetail');
  assert.equal(r.DtsJobId, jobId);
  return r;
}

// Polls DescribeDtsJobDetail until Status is one of `want`; fails at once on
// one of `failOn`, or after timeoutMs, naming the statuses seen.
async function waitStatus(client, jobId, want, { timeoutMs = 30000, failOn = [] } = {}) {
  const deadline = Date.now() + timeoutMs;
  const seen = [];
  for (;;) {
    const d = await detail(client, jobId);
    if (seen[seen.length - 1] !== d.Status) seen.push(d.Status);
    if (want.includes(d.Status)) return d;
    if (failOn.includes(d.Status) || Date.now() > deadline) {
      assert.fail(`job ${jobId}: waited for ${want.join('|')}, statuses seen ` +
        `${seen.join(' -> ')}; ErrorMessage "${d.ErrorMessage}"; PrecheckStatus ` +
        JSON.stringify(d.PrecheckStatus));
    }
    await new Promise((res) => setTimeout(res, POLL_MS));
  }
}

async function precheckStatus(client, jobId, extra = {}) {
  const r = await client.call('DescribePreCheckStatus', { DtsJobId: jobId, JobCode: '01', ...extra });
  assertOk(r, 'DescribePreCheckStatus');
  return r;
}

function item(status, code) {
  return (status.JobProgress || []).find((p) => p.Item === code);
}

module.exports = { DB_LIST, RESERVE, configureParams, createInstance, createConfiguredJob,
  configureNewJob, detail, waitStatus, precheckStatus, item };
