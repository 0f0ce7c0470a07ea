// Ed25519 verification as spec v2 §1 requires (RFC 8032 §5.1.7 as OpenSSL does it: S < L, the
// cofactorless equation, R compared as the encoding of [S]B − [k]A). WebCrypto where the browser
// has Ed25519 (Chromium's BoringSSL verifies exactly so); otherwise the vendored @noble/ed25519,
// loaded only then, whose own verify uses the cofactored equation (it would accept a signature
// whose R has a small-order part), so only its curve arithmetic is used here. S < L and a
// canonical R are checked here first, whatever verifies next, so that another browser's
// WebCrypto cannot be laxer there.

import { b64d, concat } from "./canonical.js";
import { equalBytes } from "./merkle.js";

const P = 2n ** 255n - 19n;
const L = 2n ** 252n + 27742317777372353535851937790883648493n;
// The y coordinates of the eight points of small order, as 32-byte little-endian hex (spec §1).
const SMALL_ORDER_Y = [
  "0000000000000000000000000000000000000000000000000000000000000000",
  "0100000000000000000000000000000000000000000000000000000000000000",
  "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
  "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
];

function littleEndian(bytes) {
  let value = 0n;
  for (let index = bytes.length - 1; index >= 0; index--) value = (value << 8n) | BigInt(bytes[index]);
  return value;
}

function littleEndianBytes(value) {
  const bytes = new Uint8Array(32);
  for (let index = 0; index < 32; index++) bytes[index] = Number((value >> BigInt(8 * index)) & 0xffn);
  return bytes;
}

const L_BYTES = littleEndianBytes(L);
const P_BYTES = littleEndianBytes(P);
const ONE_BYTES = littleEndianBytes(1n);
const MINUS_ONE_BYTES = littleEndianBytes(P - 1n);

// a < b for 32-byte little-endian numbers: compared byte by byte, once per signature.
function below(a, b) {
  for (let index = 31; index >= 0; index--) if (a[index] !== b[index]) return a[index] < b[index];
  return false;
}

// R as [S]B − [k]A encodes it: y < p, and no sign bit on x = 0 (y = 1 or y = p − 1).
function canonicalPoint(encoded) {
  const y = encoded.slice();
  y[31] &= 0x7f;
  const signed = y[31] !== encoded[31];
  return below(y, P_BYTES) && !(signed && (equalBytes(y, ONE_BYTES) || equalBytes(y, MINUS_ONE_BYTES)));
}

function hex(bytes) {
  let out = "";
  for (const byte of bytes) out += (byte < 16 ? "0" : "") + byte.toString(16);
  return out;
}

// The raw key of a b64 public key if it is usable (spec §1: 32 bytes, y < p, not the y of a
// point of small order), else null.
export function usableKey(text) {
  const key = b64d(text);
  if (key === null || key.length !== 32) return null;
  const y = key.slice();
  y[31] &= 0x7f;
  if (littleEndian(y) >= P || SMALL_ORDER_Y.indexOf(hex(y)) >= 0) return null;
  return key;
}

// RFC 8032 §7.1, test 1: the empty message signed by this key. WebCrypto is used only where it
// verifies this signature (and refuses it altered), so that a browser without Ed25519 — or with
// a broken one — falls back to the library.
const PROBE_KEY = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
const PROBE_SIGNATURE = "5VZDAMNgrHKQhuLMgG6CioSHfx645dl02HPgZSJJAVVfuIIVkKM7rMYeOXAc-bRr0lv18FlbviRlUUFDjnoQCw";

async function webCryptoVerifier() {
  const subtle = typeof crypto !== "undefined" && crypto.subtle;
  if (!subtle) return null;
  try {
    const probeKey = await subtle.importKey("raw", b64d(PROBE_KEY), { name: "Ed25519" }, false, ["verify"]);
    const good = b64d(PROBE_SIGNATURE);
    const bad = good.slice();
    bad[63] ^= 1;
    const empty = new Uint8Array(0);
    if (!(await subtle.verify({ name: "Ed25519" }, probeKey, good, empty))) return null;
    if (await subtle.verify({ name: "Ed25519" }, probeKey, bad, empty)) return null;
  } catch (error) {
    return null;
  }
  // raw key -> Promise of its CryptoKey; the verifier decodes each key of a record once, so the
  // same key is the same Uint8Array
  const imported = new Map();
  return async (key, message, signature) => {
    if (!imported.has(key)) imported.set(key, subtle.importKey("raw", key, { name: "Ed25519" }, false, ["verify"]));
    try {
      return await subtle.verify({ name: "Ed25519" }, await imported.get(key), signature, message);
    } catch (error) {
      return false; // a key that is no curve point: every signature under it fails
    }
  };
}

async function nobleVerifier() {
  const { Point } = await import("../vendor/noble-ed25519-3.2.0.js");
  const points = new Map(); // raw key -> its point, or null where it is none
  return async (key, message, signature) => {
    if (!points.has(key)) {
      let point = null;
      try {
        point = Point.fromBytes(key, false);
      } catch (error) {
        point = null;
      }
      points.set(key, point);
    }
    const point = points.get(key);
    if (point === null) return false;
    const s = littleEndian(signature.subarray(32));
    const r = signature.subarray(0, 32);
    const k = littleEndian(new Uint8Array(await crypto.subtle.digest("SHA-512", concat(r, key, message)))) % L;
    const expected = Point.BASE.multiply(s, false).subtract(point.multiply(k, false)).toBytes();
    return equalBytes(expected, r);
  };
}

let chosen = null;

// verify(rawKey, message, b64 signature) -> Promise<boolean>, and which engine does it. A
// signature that is no b64 of 64 bytes (or no string) simply fails.
export function ed25519() {
  if (chosen === null) {
    chosen = webCryptoVerifier().then(async (webCrypto) => {
      const engine = webCrypto ? "webcrypto" : "noble";
      const verify = webCrypto || (await nobleVerifier());
      return {
        engine,
        verify(key, message, signatureText) {
          const signature = b64d(signatureText);
          if (signature === null || signature.length !== 64 || !below(signature.subarray(32), L_BYTES)
              || !canonicalPoint(signature.subarray(0, 32))) {
            return Promise.resolve(false);
          }
          return verify(key, message, signature);
        },
      };
    });
  }
  return chosen;
}
