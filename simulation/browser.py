"""Debian's Chromium as the tests and the benchmarks drive it, and init scripts that make it one
of the older phone engines the owners' pages support."""

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
# Init scripts that make Chromium a phone whose WebCrypto lacks Ed25519 (engines before Chromium
# 137, iOS before 17: they answer NotSupportedError) or has no crypto.subtle at all.
WITHOUT_WEBCRYPTO_ED25519 = """
for (const [method, position] of [["importKey", 2], ["generateKey", 0], ["sign", 0], ["verify", 0]]) {
  const original = SubtleCrypto.prototype[method];
  SubtleCrypto.prototype[method] = function (...args) {
    const algorithm = args[position];
    const name = typeof algorithm === "string" ? algorithm : algorithm && algorithm.name;
    if (/^ed25519$/i.test(name || "")) {
      return Promise.reject(new DOMException("Unrecognized name.", "NotSupportedError"));
    }
    return original.apply(this, args);
  };
}
"""
WITHOUT_SUBTLE_CRYPTO = 'Object.defineProperty(Crypto.prototype, "subtle", { get: () => undefined });'
