'use strict';
// The DescribePreCheckStatus response contract of
// shared/seed/DescribePreCheckStatus.txt: every field with the JSON type of
// the seed's sample reply, checked on a real reply.

const assert = require('node:assert/strict');
const { UUID_RE } = require('./expect');

const TOP = {
  State: 'string', Success: 'boolean', PageRecordCount: 'number', Total: 'number',
  HttpStatusCode: 'number', RequestId: 'string', JobName: 'string', JobId: 'string',
  ErrorItem: 'number', ErrorAnalysisItem: 'number', TotalRecordCount: 'number',
  Code: 'string', PageNumber: 'number', JobProgress: 'array', AnalysisJobProgress: 'array',
  SubDistributedJobStatus: 'array', FullNetCheckJobStatus: 'array',
  NetworkDiagnosisResult: 'object',
};

const PROGRESS = {
  Skip: 'boolean', FinishTime: 'string', IgnoreFlag: 'string', DelaySeconds: 'number',
  DdlSql: 'string', State: 'string', BootTime: 'string', Item: 'string', Sub: 'string',
  Total: 'number', TargetNames: 'string', CanSkip: 'boolean', Names: 'string',
  ErrDetail: 'string', DiffRow: 'number', JobId: 'string', SourceSchema: 'string',
  DestSchema: 'string', ParentObj: 'string', ErrMsg: 'string', OrderNum: 'number',
  RepairMethod: 'string', Id: 'string', Logs: 'array', Current: 'string',
};

const LOG = { ErrData: 'string', ErrMsg: 'string', LogLevel: 'string', ErrType: 'string' };

const SUB_JOB = { JobName: 'string', State: 'string', JobId: 'string', ErrorItem: 'number',
  Code: 'string', Total: 'number', JobProgress: 'array' };

const NET_CHECK = { ...SUB_JOB, HostRegion: 'string', SrcRegion: 'string',
  DestRegion: 'string', SrcRegionCidr: 'string', DestRegionCidr: 'string',
  SourceEndpointType: 'string', DestinationEndpointType: 'string' };

// "2022-03-16T08:01:34.000+00:00"
const PRECHECK_TIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+00:00$/;
const MODULE_STATES = ['NotStarted', 'Suspending', 'Checking', 'Migrating', 'Failed',
  'Catched', 'Finished'];
const ITEM_STATES = ['NotStarted', 'Checking', 'Migrating', 'Failed', 'Warning', 'Success',
  'Finished', 'Catched', 'Suspending'];

function typeOf(v) {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  return typeof v;
}

function assertShape(obj, spec, where) {
  assert.equal(typeOf(obj), 'object', `${where}: not an object`);
  for (const [k, t] of Object.entries(spec)) {
    assert.ok(k in obj, `${where}: field ${k} is missing`);
    assert.equal(typeOf(obj[k]), t, `${where}.${k}: ${JSON.stringify(obj[k])} is not a ${t}`);
  }
}

function assertTime(v, where, nowMs) {
  assert.match(v, PRECHECK_TIME_RE, `${where}: "${v}" is not like 2022-03-16T08:01:34.000+00:00`);
  const skew = Math.abs(Date.parse(v) - nowMs);
  assert.ok(skew < 3600e3, `${where}: "${v}" is ${Math.round(skew / 1000)} s from now (UTC?)`);
}

// One ProgressInfo. `done`: the item has ended (Success/Failed/Warning),
// so it has both times.
function assertProgressInfo(p, where, nowMs = Date.now()) {
  assertShape(p, PROGRESS, where);
  assert.ok(['N', 'Y'].includes(p.IgnoreFlag), `${where}.IgnoreFlag "${p.IgnoreFlag}"`);
  assert.ok(ITEM_STATES.includes(p.State), `${where}.State "${p.State}"`);
  assert.ok(p.Item.length > 0, `${where}.Item is empty`);
  let sub;
  assert.doesNotThrow(() => { sub = JSON.parse(p.Sub); }, `${where}.Sub is not JSON text`);
  assert.ok(Array.isArray(sub), `${where}.Sub "${p.Sub}" is not a JSON array`);
  if (sub.length === 0) assert.equal(p.Sub, '[]', `${where}.Sub: empty must be "[]"`);
  assert.ok(p.Id.length > 0, `${where}.Id is empty`);
  assert.ok(Number.isInteger(p.OrderNum) && Number.isInteger(p.Total) &&
    Number.isInteger(p.DelaySeconds) && Number.isInteger(p.DiffRow), `${where}: integers`);
  assert.match(p.Current, /^\d+$/, `${where}.Current "${p.Current}" is not a count`);
  if (['Success', 'Failed', 'Warning', 'Finished'].includes(p.State)) {
    assertTime(p.BootTime, `${where}.BootTime`, nowMs);
    assertTime(p.FinishTime, `${where}.FinishTime`, nowMs);
    assert.ok(Date.parse(p.FinishTime) >= Date.parse(p.BootTime),
      `${where}: FinishTime ${p.FinishTime} before BootTime ${p.BootTime}`);
  } else {
    assert.equal(typeof p.BootTime, 'string');
  }
  p.Logs.forEach((l, i) => assertShape(l, LOG, `${where}.Logs[${i}]`));
}

// The whole reply of DescribePreCheckStatus.
function assertPreCheckStatus(r, { code = '01', pageNumber = 1, pageSize = 20 } = {}) {
  const now = Date.now();
  assertShape(r, TOP, 'reply');
  assert.match(r.RequestId, UUID_RE, 'RequestId is not a UUID');
  assert.equal(r.Success, true);
  assert.equal(r.HttpStatusCode, 200);
  assert.equal(r.Code, code, 'Code must echo the JobCode');
  assert.ok(MODULE_STATES.includes(r.State), `State "${r.State}"`);
  assert.equal(r.PageNumber, pageNumber, 'PageNumber');
  assert.equal(r.PageRecordCount, pageSize, 'PageRecordCount');
  for (const k of ['Total', 'ErrorItem', 'ErrorAnalysisItem', 'TotalRecordCount']) {
    assert.ok(Number.isInteger(r[k]) && r[k] >= 0, `${k} = ${r[k]}`);
  }
  assert.ok(r.JobProgress.length <= pageSize, 'more JobProgress items than PageSize');
  assert.ok(r.TotalRecordCount >= r.JobProgress.length, 'TotalRecordCount < items returned');
  r.JobProgress.forEach((p, i) => assertProgressInfo(p, `JobProgress[${i}]`, now));
  r.AnalysisJobProgress.forEach((p, i) => assertProgressInfo(p, `AnalysisJobProgress[${i}]`, now));
  r.SubDistributedJobStatus.forEach((s, i) => {
    assertShape(s, SUB_JOB, `SubDistributedJobStatus[${i}]`);
    s.JobProgress.forEach((p, j) =>
      assertProgressInfo(p, `SubDistributedJobStatus[${i}].JobProgress[${j}]`, now));
  });
  r.FullNetCheckJobStatus.forEach((s, i) => {
    assertShape(s, NET_CHECK, `FullNetCheckJobStatus[${i}]`);
    s.JobProgress.forEach((p, j) =>
      assertProgressInfo(p, `FullNetCheckJobStatus[${i}].JobProgress[${j}]`, now));
  });
  assertShape(r.NetworkDiagnosisResult, { ModelVersion: 'string', Diagnosis: 'array' },
    'NetworkDiagnosisResult');
}

module.exports = { TOP, PROGRESS, LOG, PRECHECK_TIME_RE, assertShape, assertProgressInfo,
  assertPreCheckStatus };
