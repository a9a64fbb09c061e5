// twilio-node's validateRequest over webhook requests the sandbox signed (node --test).
//
// tests/contract/node_validator.py writes the requests as a JSON file and names it in
// CALLPLANE_SIGNED_REQUESTS: [{name, token, signature, url, params}], where `url` is the URL as
// the receiver saw it and `params` the parsed form. Each must validate with its token and not
// with another one (so a validator that accepts anything cannot pass).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { test } from "node:test";

const require = createRequire(import.meta.url);
const twilio = require("twilio");

const path = process.env.CALLPLANE_SIGNED_REQUESTS;
assert.ok(path, "CALLPLANE_SIGNED_REQUESTS names the JSON file of signed requests");
const requests = JSON.parse(readFileSync(path, "utf8"));
assert.ok(Array.isArray(requests) && requests.length > 0, "at least one signed request");

for (const r of requests) {
  test(r.name, () => {
    assert.equal(
      twilio.validateRequest(r.token, r.signature, r.url, r.params),
      true,
      `twilio-node rejects the signature of ${r.url}`,
    );
    const other = r.token.replace(/^./, (c) => (c === "0" ? "1" : "0"));
    assert.equal(twilio.validateRequest(other, r.signature, r.url, r.params), false);
  });
}
