// `verify` against signatures made by callplane's own signer (gateway/event_signature.py).
import assert from "node:assert/strict";
import { test } from "node:test";

import { sign, verify } from "../src/index.js";

const BODY = '{"id":"e1","type":"call.received"}';
const T = 1700000000;
// callplane's signatures of BODY at T with two secrets (a rotation's new and old).
const NEW = "d546013f14c6e1216b103b2c8087c48b54efd85c766d882aa4a069b9fe1d8f6d";
const OLD = "d7420d4a8b726a83d2595fb2d7e477b4c2cec74788033976da069a5ea85de405";

test("verifies callplane's signature, from a string or the raw bytes", () => {
  const header = `t=${T},v1=${NEW}`;
  assert.equal(sign(BODY, "whsec_test", T), header);
  assert.ok(verify(BODY, header, "whsec_test", { now: T + 10 }));
  assert.ok(verify(new TextEncoder().encode(BODY), header, "whsec_test", { now: T }));
});

test("a rotation's two v1 values: either secret verifies, and several secrets may be held", () => {
  const header = `t=${T},v1=${NEW},v1=${OLD}`;
  assert.ok(verify(BODY, header, "whsec_test", { now: T }));
  assert.ok(verify(BODY, header, "whsec_old", { now: T }));
  assert.ok(verify(BODY, `t=${T},v1=${OLD}`, ["whsec_test", "whsec_old"], { now: T }));
  assert.ok(!verify(BODY, header, ["whsec_a", "whsec_b"], { now: T }));
});

test("refuses tampering, another secret, a stale or future timestamp, and malformed headers", () => {
  const header = `t=${T},v1=${NEW}`;
  assert.ok(!verify(BODY + " ", header, "whsec_test", { now: T }));
  assert.ok(!verify(BODY, header, "whsec_other", { now: T }));
  assert.ok(!verify(BODY, header, "whsec_test", { now: T + 301 }));
  assert.ok(!verify(BODY, header, "whsec_test", { now: T - 301 }));
  assert.ok(verify(BODY, header, "whsec_test", { now: T + 3000, tolerance: 3600 }));
  assert.ok(!verify(BODY, `t=${T + 1},v1=${NEW}`, "whsec_test", { now: T }));
  for (const bad of [null, undefined, "", `v1=${NEW}`, `t=abc,v1=${NEW}`, `t=${T}`, `t=${T},v1=zz`]) {
    assert.ok(!verify(BODY, bad, "whsec_test", { now: T }), String(bad));
  }
});
