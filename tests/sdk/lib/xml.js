'use strict';
// Reading dtsd's XML replies (Format=XML) with xml2js, the parser that the
// openapi-client itself uses (through @alicloud/tea-xml) for XML errors, and
// comparing them with the JSON reply of the same call: the same fields, each
// array as repeated elements (ACTIONS.md sec. 0), an empty array as no element.

const assert = require('node:assert/strict');
const path = require('node:path');

const teaXmlDir = path.dirname(require.resolve('@alicloud/tea-xml/package.json',
  { paths: [path.dirname(require.resolve('@alicloud/openapi-client/package.json'))] }));
const xml2js = require(require.resolve('xml2js', { paths: [teaXmlDir] }));

// Every element as an array of occurrences; text-only elements as strings
// (empty elements as ""); no attributes expected.
async function parseXml(text) {
  return xml2js.parseStringPromise(text, { explicitArray: true, explicitRoot: true,
    emptyTag: '', trim: false, strict: true });
}

function scalarText(v) {
  return typeof v === 'string' ? v : String(v);
}

// xmlNode: an xml2js element object ({Child: [occurrences]}); json: the
// object the same reply has in JSON. `where` names the place for messages.
function assertXmlMatchesJson(xmlNode, json, where, skip = new Set()) {
  assert.equal(typeof xmlNode, 'object', `${where}: element has no children`);
  const jsonKeys = Object.keys(json).filter((k) => !skip.has(k));
  for (const k of jsonKeys) {
    const v = json[k];
    const occ = xmlNode[k] || [];
    if (Array.isArray(v)) {
      assert.equal(occ.length, v.length, `${where}.${k}: ${v.length} items in JSON, ` +
        `${occ.length} repeated <${k}> elements in XML`);
      v.forEach((e, i) => compareValue(occ[i], e, `${where}.${k}[${i}]`));
      continue;
    }
    assert.equal(occ.length, 1, `${where}: <${k}> appears ${occ.length} times`);
    compareValue(occ[0], v, `${where}.${k}`);
  }
  for (const k of Object.keys(xmlNode)) {
    if (k === '$') assert.fail(`${where}: unexpected attributes`);
    assert.ok(k in json || skip.has(k), `${where}: <${k}> is not in the JSON reply`);
  }
}

function compareValue(x, v, where) {
  if (v !== null && typeof v === 'object') {
    assertXmlMatchesJson(x, v, where);
  } else {
    assert.equal(typeof x, 'string', `${where}: expected text, got ${JSON.stringify(x)}`);
    assert.equal(x, v === null ? '' : scalarText(v), `${where}: XML text differs from JSON`);
  }
}

module.exports = { parseXml, assertXmlMatchesJson };
