'use strict';
// The official Alibaba Cloud Node.js clients, pointed at dtsd exactly as
// PROTOCOL.md sec. 8 shows, behind one small interface so that every test can
// run through every client flavour:
//
//   pop-get     @alicloud/pop-core 1.8.0, Signature V1, GET (its default)
//   pop-post    @alicloud/pop-core 1.8.0, Signature V1, POST (form body)
//   openapi-v1  @alicloud/openapi-client 0.4.15, signatureAlgorithm 'v2' (V1)
//   openapi-v3  @alicloud/openapi-client 0.4.15, default ACS3-HMAC-SHA256
//
// client.call(action, params, opts) resolves to the reply body (a plain
// object; pop-core's null-prototype objects are copied into plain ones) and
// rejects with the client's own error, untouched. errorInfo() reads such an
// error the way each client documents it (PROTOCOL.md sec. 6).
//
// openapi flavours put the large JSON parameters in the form body, as the
// generated DTS SDK does (PROTOCOL.md sec. 2), and every other parameter in
// the query; they always POST (a GET cannot carry body parameters).

const path = require('node:path');
const RPCClient = require('@alicloud/pop-core');
const OpenApi = require('@alicloud/openapi-client');
const env = require('./env');

const FLAVORS = ['pop-get', 'pop-post', 'openapi-v1', 'openapi-v3'];
const BODY_PARAMS = new Set(['DbList', 'Reserve', 'Reserved', 'MigrationObject',
  'SynchronizationObjects']);
const PRECHECK_CODES = ['01', '02', '03', '04'];
const TIMEOUT_MS = 10000;

// The exact module instances the clients use, for the nonce tests
// (PROTOCOL.md sec. 9: kitx makeNonce for pop-core, tea-util getNonce for openapi).
function clientModule(name, client) {
  const dir = path.dirname(require.resolve(`${client}/package.json`));
  return require(require.resolve(name, { paths: [dir] }));
}
const kitx = clientModule('kitx', '@alicloud/pop-core');
const TeaUtilModule = clientModule('@alicloud/tea-util', '@alicloud/openapi-client');
const TeaUtil = TeaUtilModule.default;
const OpenApiUtil = clientModule('@alicloud/openapi-util', '@alicloud/openapi-client').default;

function plain(v) {
  return v === undefined ? v : JSON.parse(JSON.stringify(v));
}

function stringify(params) {
  const out = {};
  for (const [k, v] of Object.entries(params || {})) {
    if (v === undefined || v === null) continue;
    out[k] = typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  return out;
}

class SdkClient {
  // opts: keyId, keySecret (default: the test key), codes (pop-core: pass
  // codes ['01'..'04'] to RPCClient; default true), endpoint.
  constructor(flavor, opts = {}) {
    if (!FLAVORS.includes(flavor)) throw new Error(`unknown client flavour ${flavor}`);
    this.flavor = flavor;
    this.isPop = flavor.startsWith('pop');
    const keyId = opts.keyId ?? env.keyId;
    const keySecret = opts.keySecret ?? env.keySecret;
    const endpoint = opts.endpoint ?? env.endpoint;
    if (this.isPop) {
      const config = { accessKeyId: keyId, accessKeySecret: keySecret,
        endpoint: `http://${endpoint}`, apiVersion: env.apiVersion };
      if (opts.codes !== false) config.codes = PRECHECK_CODES;
      this.pop = new RPCClient(config);
      this.method = flavor === 'pop-post' ? 'POST' : 'GET';
    } else {
      const config = { accessKeyId: keyId, accessKeySecret: keySecret, endpoint,
        protocol: 'http', readTimeout: TIMEOUT_MS, connectTimeout: TIMEOUT_MS };
      if (flavor === 'openapi-v1') config.signatureAlgorithm = 'v2';
      this.api = new OpenApi.default(new OpenApi.Config(config));
    }
  }

  // The whole openapi reply {statusCode, headers, body} (bodyType 'json' by
  // default; 'string' gives the raw text, e.g. for Format=XML).
  async callRaw(action, params = {}, { bodyType = 'json' } = {}) {
    if (this.isPop) throw new Error('callRaw is for the openapi flavours');
    const query = {};
    const body = {};
    for (const [k, v] of Object.entries(stringify(params))) {
      if (BODY_PARAMS.has(k)) body[k] = v; else query[k] = v;
    }
    const p = new OpenApi.Params({ action, version: env.apiVersion, protocol: 'HTTPS',
      pathname: '/', method: 'POST', authType: 'AK', style: 'RPC',
      reqBodyType: 'formData', bodyType });
    const req = new OpenApi.OpenApiRequest(Object.keys(body).length ? { query, body } : { query });
    return this.api.callApi(p, req, new TeaUtilModule.RuntimeOptions({}));
  }

  async call(action, params = {}) {
    if (this.isPop) {
      const r = await this.pop.request(action, stringify(params),
        { method: this.method, timeout: TIMEOUT_MS });
      return plain(r);
    }
    const r = await this.callRaw(action, params);
    if (r.statusCode !== 200) throw new Error(`${action}: HTTP ${r.statusCode} without an error`);
    return plain(r.body);
  }
}

// What a caller learns from a client error, per client (PROTOCOL.md sec. 6):
// pop-core: name Code+"Error", code, data, status in err.entry.response;
// openapi: code, statusCode, data (+statusCode), message.
function errorInfo(flavor, err) {
  if (flavor.startsWith('pop')) {
    return {
      name: err.name, code: err.code, data: err.data ? plain(err.data) : undefined,
      status: err.entry && err.entry.response ? err.entry.response.statusCode : undefined,
      message: err.message,
    };
  }
  return { name: err.name, code: err.code, data: err.data ? plain(err.data) : undefined,
    status: err.statusCode, message: err.message };
}

module.exports = { FLAVORS, SdkClient, errorInfo, kitx, TeaUtil, OpenApiUtil, PRECHECK_CODES,
  plain };
