// Signing on the owner's phone with the credential from the voting notice's QR code. The secret
// stays in this page: the server sees only the public key and signatures
// (the signed bytes: signedMessage and signedText of verify/canonical.js, spec v2 §1).

import { b64d, b64e, concat } from "./verify/canonical.js";

// An Ed25519 private key as PKCS#8 is this DER header followed by the 32-byte seed (RFC 8410).
const PKCS8_ED25519_PREFIX = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
]);
// Pinned, vendored, served by the app (static/vendor/README.md); fetched only when needed.
const FALLBACK_MODULE = "./vendor/noble-ed25519-3.2.0.js";

// The 32-byte seed from the QR code's fragment, or null if it is not exactly that.
export function decodeSeed(text) {
  const seed = b64d(text);
  return seed !== null && seed.length === 32 ? seed : null;
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
    sign: async (message) => b64e(new Uint8Array(await crypto.subtle.sign({ name: "Ed25519" }, key, message))),
  };
}

async function fallbackSigner(seed) {
  const ed25519 = await import(FALLBACK_MODULE);
  return {
    engine: "noble",
    publicKey: b64e(await ed25519.getPublicKeyAsync(seed)),
    sign: async (message) => b64e(await ed25519.signAsync(message, seed)),
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
