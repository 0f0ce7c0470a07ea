// RFC 9162 §2.1.4.2 in the browser: does a tree of newSize leaves extend one of oldSize leaves?
// A port of voting.core.merkle.verify_consistency, so that a witness checks the log's growth on
// its own machine instead of taking the server's word (hashes as Uint8Array, SHA-256 by WebCrypto).

async function nodeHash(left, right) {
  const data = new Uint8Array(1 + left.length + right.length);
  data[0] = 1;
  data.set(left, 1);
  data.set(right, 1 + left.length);
  return new Uint8Array(await crypto.subtle.digest("SHA-256", data));
}

function equal(a, b) {
  return a.length === b.length && a.every((byte, index) => byte === b[index]);
}

// Outside the RFC's 0 < oldSize < newSize: equal sizes need equal roots and an empty proof,
// and every tree extends the empty one.
export async function verifyConsistency(oldSize, newSize, oldRoot, newRoot, proof) {
  if (!(0 <= oldSize && oldSize <= newSize)) return false;
  if (oldSize === newSize) return proof.length === 0 && equal(oldRoot, newRoot);
  if (oldSize === 0) return proof.length === 0;
  if (proof.length === 0) return false;
  const path = [...proof];
  if ((oldSize & (oldSize - 1)) === 0) path.unshift(oldRoot);
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (fn & 1) {
    fn >>= 1;
    sn >>= 1;
  }
  let oldResult = path[0];
  let newResult = path[0];
  for (const node of path.slice(1)) {
    if (sn === 0) return false;
    if (fn & 1 || fn === sn) {
      oldResult = await nodeHash(node, oldResult);
      newResult = await nodeHash(node, newResult);
      while (fn !== 0 && (fn & 1) === 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      newResult = await nodeHash(newResult, node);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return equal(oldResult, oldRoot) && equal(newResult, newRoot) && sn === 0;
}
