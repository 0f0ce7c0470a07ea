// RFC 9162 §2.1.4.2 in the browser, for the witness page (officer_keys.js): a witness checks the
// log's growth on its own machine instead of taking the server's word. The check lives with the
// record verifier's Merkle tree.
export { verifyConsistency } from "./verify/merkle.js";
