'use strict';
// The environment the SDK tests run in, read once: where dtsd listens and
// which access key it knows (set by tests/sdk/run.sh), and the database
// servers of the test harness (scripts/harness.sh). A missing variable is a
// setup error, reported with what to run instead; no test silently skips.

const crypto = require('node:crypto');

function need(name) {
  const v = process.env[name];
  if (v === undefined || v === '') {
    throw new Error(`environment variable ${name} is not set: run the SDK tests through ` +
      'tests/sdk/run.sh (by hand: scripts/harness.sh run bash tests/sdk/run.sh)');
  }
  return v;
}

const env = {
  endpoint: need('DTS_ENDPOINT'),          // host:port, no scheme
  keyId: need('DTS_KEY_ID'),
  keySecret: need('DTS_KEY_SECRET'),
  my: {
    host: need('MY_HOST'),
    port: need('MY_PORT'),
    user: need('MY_USER'),
    password: need('MY_PASSWORD'),
  },
  pg: {
    host: need('PG_HOST'),
    port: need('PG_PORT'),
    user: need('PG_USER'),
    password: need('PG_PASSWORD'),
    database: need('PG_DATABASE'),
  },
  // Names of everything this test process creates start with this, so
  // listings can be filtered to our own jobs even when other test files
  // run at the same time against the same dtsd.
  run: `sdk-${Date.now().toString(36)}-${crypto.randomBytes(3).toString('hex')}`,
  apiVersion: '2020-01-01',
  sourceDb: 'opendts_sdk',
};

module.exports = env;
