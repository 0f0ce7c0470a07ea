// Signing on the owner's phone with the credential from the voting notice's QR code. The secret
// stays in this page: the server sees only the public key and signatures
// (spec election-record-v2 §1: message = "gongzhi/2/" + purpose, 0x00, canon(body)).

const encoder = new TextEncoder();
// An Ed25519 private key as PKCS#8 is this DER header followed by the 32-byte seed (RFC 8410).
const PKCS8_ED25519_PREFIX = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
]);
// Pinned, vendored, served by the app (static/vendor/README.md); fetched only when needed.
const FALLBACK_MODULE = "./vendor/noble-ed25519-3.2.0.js";

// Canonical JSON exactly as voting.core.canonical.canon: keys sorted by code point at every
// level, no whitespace, non-ASCII written as itself. JSON.stringify escapes strings as Python's
// json does with ensure_ascii=False (", \, \b \f \n \r \t, other controls as \u00xx).
export function canon(value) {
  if (Array.isArray(value)) {
    return "[" + value.map(canon).join(",") + "]";
  }
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value).sort(byCodePoint);
    return "{" + keys.map((key) => JSON.stringify(key) + ":" + canon(value[key])).join(",") + "}";
  }
  return JSON.stringify(value);
}

// String comparison by code point: JavaScript's default compares UTF-16 units, which orders
// characters beyond U+FFFF before U+E000–U+FFFF, unlike Python.
function byCodePoint(a, b) {
  const left = a[Symbol.iterator]();
  const right = b[Symbol.iterator]();
  for (;;) {
    const x = left.next();
    const y = right.next();
    if (x.done || y.done) return (x.done ? 0 : 1) - (y.done ? 0 : 1);
    const difference = x.value.codePointAt(0) - y.value.codePointAt(0);
    if (difference !== 0) return difference;
  }
}

export function b64encode(bytes) {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

// The 32-byte seed from the QR code's fragment, or null if it is not exactly that.
export function decodeSeed(text) {
  if (!/^[A-Za-z0-9_-]{43}$/.test(text)) return null;
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "=");
  return Uint8Array.from(binary, (character) => character.charCodeAt(0));
}

export function concat(...parts) {
  const result = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    result.set(part, offset);
    offset += part.length;
  }
  return result;
}

export function purposePrefix(purpose) {
  return concat(encoder.encode("gongzhi/2/" + purpose), [0]);
}

// The bytes a signature covers (spec §1): the purpose's prefix, then canon(body) as UTF-8.
export function signedMessage(purpose, body) {
  return concat(purposePrefix(purpose), encoder.encode(canon(body)));
}

// Why this page cannot sign at all, or null: WebCrypto exists only in a secure context (HTTPS or
// this machine), and both ways of signing need its SHA-512.
export function missingCrypto() {
  if (!window.isSecureContext) return "insecure";
  if (!window.crypto || !crypto.subtle || typeof crypto.subtle.digest !== "function") return "no-subtle";
  return null;
}

async function webCryptoSigner(seed) {
  const key = await crypto.subtle.importKey(
    "pkcs8", concat(PKCS8_ED25519_PREFIX, seed), { name: "Ed25519" }, true, ["sign"]);
  const { x: publicKey } = await crypto.subtle.exportKey("jwk", key);
  return {
    engine: "webcrypto",
    publicKey,
    sign: async (message) => b64encode(new Uint8Array(await crypto.subtle.sign({ name: "Ed25519" }, key, message))),
  };
}

async function fallbackSigner(seed) {
  const ed25519 = await import(FALLBACK_MODULE);
  return {
    engine: "noble",
    publicKey: b64encode(await ed25519.getPublicKeyAsync(seed)),
    sign: async (message) => b64encode(await ed25519.signAsync(message, seed)),
  };
}

// WebCrypto's Ed25519 where the browser has it (Chromium 137+, Safari 17+, Firefox 129+), else
// the vendored pure-JS one. Ed25519 signatures are deterministic (RFC 8032), so both give the
// same bytes for the same seed and message. Rejects where neither can run on this engine.
export async function signerFor(seed, { fallbackOnly = false } = {}) {
  if (!fallbackOnly) {
    try {
      return await webCryptoSigner(seed);
    } catch {
      // No Ed25519 in this WebCrypto (older engines throw NotSupportedError): the fallback signs.
    }
  }
  return fallbackSigner(seed);
}
