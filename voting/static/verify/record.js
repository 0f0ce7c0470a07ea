// A verifier of election records of format gongzhi-record/2, written from
// docs/spec/election-record-v2.md: the checks of §9 in their order, the recount of §7, and the
// checks of §10 of a receipt and of a held checkpoint. It reaches the verdicts of
// scripts/verify_record.py (the conformance vectors are run through both).
//
//   const verified = await verifyRecord(bytes, { onProgress });  // throws RecordInvalid
//   verified.tally                                                // the recount
//   const finding = await checkReceipt(verified, receiptBytes);    // throws RecordInvalid
//   const extended = await checkHeldCheckpoint(verified, noteBytes);
//
// The log is checked in slices; between them the page gets the event loop back and a progress
// report, and the signatures gathered so far are verified together.

import {
  BEIJING_EARLIEST, BEIJING_LATEST, NotRecordJSON, b64d, b64e, beijingTime, canon, compareCodePoints,
  has, instant, integerBeyondLimit, isInt, isObject, parseJSON, signedMessage, std64d, std64e, utf8, withoutExt,
} from "./canonical.js";
import { ed25519, usableKey } from "./ed25519.js";
import { Tree, equalBytes, leafHash, sha256, verifyInclusion } from "./merkle.js";

const FORMAT = "gongzhi-record/2";
const RECEIPT_FORMAT = "gongzhi-receipt/2";
const SLICE_ENTRIES = 500;
const MIN_NONCE_BYTES = 16;
const ESTATE = "estate";
const DAY = 86400000000n; // microseconds

const keys = (...names) => names;
const RECORD_KEYS = keys("format", "election", "roll", "log", "checkpoints", "tree_head", "tally", "certifications");
const ELECTION_KEYS = keys("election_id", "community", "title", "opens_at", "closes_at", "revote", "rules", "scopes",
  "motions", "officers", "election_public_key", "roll_hash");
const COMMUNITY_KEYS = keys("code", "name");
const RULES_KEYS = keys("invalid_ballot", "notice_days", "roll_publication_days", "max_extension_days",
  "committee_min_members", "committee_max_members", "group_min_members", "group_max_members", "group_min_owner_percent",
  "parking_area", "buyers");
const PARKING_AREA_RULES = ["counted", "left_out"], BUYERS_RULES = ["title", "person"];
// The bounds every rules profile keeps (voting/core/rules.py).
const MIN_PERIOD_DAYS = 15, MAX_PERIOD_DAYS = 365, MAX_EXTENSION_DAYS = 90, MAX_COMMITTEE = 11;
const SCOPE_KEYS = keys("scope_id", "title");
const MOTION_KEYS = keys("motion_id", "kind", "title", "item", "scope", "documents");
const MOTION_KIND_KEYS = { question: [], committee: ["seats", "candidates"], choice: ["options"] };
const DOCUMENT_KEYS = keys("title", "sha256");
const CANDIDATE_KEYS = keys("candidate_id", "name");
const OPTION_KEYS = keys("option_id", "title");
const OFFICER_KEYS = keys("officer_id", "role", "public_key", "account", "person");
const OFFICER_ROLES = keys("clerk", "preparation_group", "street_office", "witness");
const ROLL_KEYS = keys("voters", "totals");
const VOTER_KEYS = keys("voter_id", "weights", "public_key", "units_commitment");
const WEIGHT_KEYS = keys("area", "heads");
const ENTRY_KEYS = keys("seq", "logged_at", "kind", "body", "signatures");
const ONLINE_KEYS = keys("election_hash", "voter_id", "channel", "nonce", "choices");
const PAPER_KEYS = ONLINE_KEYS.concat("invalid", "paper_scan_sha256", "proxy_sha256", "handin");
const BODY_KEYS = {
  handin: keys("election_hash", "desk_receipt", "voter_id", "identity_checked"),
  credential: keys("election_hash", "voter_id", "action", "public_key", "reason"),
  notices: keys("election_hash", "count", "downloaded_by"),
  extension: keys("election_hash", "closes_at", "previous_closes_at", "reason"),
};
const ENTRY_KINDS = keys("ballot", "handin", "credential", "notices", "extension");
const QUESTION_CHOICES = keys("yes", "no", "abstain");
const INVALID_REASONS = keys("several_marks", "too_many_candidates", "unsigned", "unreadable", "other");
const INVALID_RULES = keys("took_part", "not_counted");
const CREDENTIAL_ACTIONS = keys("revoke", "reissue");
const CREDENTIAL_REASONS = keys("lost", "damaged", "not_received", "compromised", "owner_changed", "other");
const CREDENTIAL_SIGNERS = keys("preparation_group", "street_office");
// Two persons of these roles sign an extension, at least one of them for the street office.
const EXTENSION_SIGNERS = keys("preparation_group", "street_office");
const WITNESS_ROLES = keys("street_office", "witness");
const SIGNATURE_KEYS = keys("signer", "signature");
const CHECKPOINT_KEYS = keys("size", "root", "signature", "cosignatures");
const COSIGNATURE_KEYS = keys("witness", "time", "signature");
const SIGNED_KEYS = keys("body", "signature");
const CERTIFICATION_BODY_KEYS = keys("election_hash", "tree_size", "tree_root", "tally_hash", "certified_at",
  "officer_id");
const RECEIPT_KEYS = keys("format", "election_id", "election_hash", "seq", "entry_hash", "logged_at", "checkpoint",
  "inclusion_proof");
const RECEIPT_CHECKPOINT_KEYS = keys("size", "root", "signature");
const MAJOR_ITEMS = [6, 7, 8];
// The 29 characters Python's str.isspace accepts, which a signed-note key name cannot hold (§1).
const WHITE_SPACE = /[\u0009-\u000d\u001c-\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;

// The record (or a receipt) fails `check`; `message` says where and what, in the project's words.
export class RecordInvalid extends Error {
  constructor(check, message) {
    super("[" + check + "] " + message);
    this.check = check;
    this.fault = message;
  }
}

const show = (value) => canon(value === undefined ? null : value);
const oneOf = (list, value) => list.indexOf(value) >= 0;

// Each check runs inside `checking(id, ...)`; these helpers throw Fault, named by the check
// running when it is caught.
class Fault extends Error {}

function checking(check, run) {
  try {
    return run();
  } catch (error) {
    if (error instanceof Fault) throw new RecordInvalid(check, error.message);
    throw error;
  }
}

function fail(message) {
  throw new Fault(message);
}

// An object with these keys at least; the first missing one, in code-point order, is the fault.
function requireKeys(value, where, required) {
  if (!isObject(value)) fail(where + " is not an object");
  const missing = required.filter((key) => !has(value, key)).sort(compareCodePoints);
  if (missing.length) fail(where + ": missing key " + show(missing[0]));
}

function closedObject(value, where, required, optional = []) {
  requireKeys(value, where, required);
  const unexpected = Object.keys(value)
    .filter((key) => key !== "ext" && !oneOf(required, key) && !oneOf(optional, key))
    .sort(compareCodePoints);
  if (unexpected.length) fail(where + ": unexpected key " + show(unexpected[0]));
  if (has(value, "ext") && integerBeyondLimit(value.ext) !== null) fail(where + ": ext holds an integer beyond ±2^53");
  return value;
}

function text(object, key, where) {
  if (typeof object[key] !== "string") fail(where + ": " + key + " is not a string");
  return object[key];
}

function identifier(object, key, where) {
  if (!text(object, key, where)) fail(where + ": " + key + " is empty");
  return object[key];
}

function integer(object, key, where, minimum) {
  const value = object[key];
  if (!isInt(value)) fail(where + ": " + key + " is not an integer within ±2^53");
  if (value < minimum) fail(where + ": " + key + " is less than " + minimum);
  return value;
}

function timestamp(object, key, where) {
  const moment = instant(object[key]);
  if (moment === null) fail(where + ": " + key + " is not a timestamp");
  return moment;
}

function binary(object, key, where, size) {
  const bytes = b64d(object[key]);
  if (bytes === null) fail(where + ": " + key + " is not unpadded base64url");
  if (size !== undefined && bytes.length !== size) fail(where + ": " + key + " is not " + size + " bytes");
  return bytes;
}

function usable(object, key, where) {
  const raw = usableKey(object[key]);
  if (raw === null) fail(where + ": " + key + " is not an Ed25519 public key");
  return raw;
}

async function hashOf(value) {
  return b64e(await sha256(utf8(canon(value))));
}

function floorDiv(a, b) {
  const quotient = a / b;
  return a % b < 0n ? quotient - 1n : quotient;
}

function checkpointText(electionHash, size, root) {
  return "gongzhi/" + electionHash + "\n" + size + "\n" + std64e(root) + "\n";
}

function cosignatureMessage(checkpoint, time) {
  return "cosignature/v1\ntime " + time + "\n" + checkpoint;
}

// --- the record -------------------------------------------------------------------------------

// Verify a record given as its bytes (or text, or a value parsed by canonical.parseJSON).
// Resolves to the verified record; rejects with RecordInvalid naming the first failing check.
// options: onProgress({phase: "log", done, total}) after each slice of the log, sliceEntries
// (the entries of a slice, 500 by default).
export async function verifyRecord(input, options) {
  const onProgress = (options && options.onProgress) || (() => {});
  const sliceEntries = (options && options.sliceEntries) || SLICE_ENTRIES;
  let record = input;
  if (typeof input === "string" || input instanceof ArrayBuffer || input instanceof Uint8Array) {
    try {
      record = parseJSON(input);
    } catch (error) {
      if (error instanceof NotRecordJSON) throw new RecordInvalid("D1", "not a JSON record: " + error.message);
      throw error;
    }
  }
  const verifier = await ed25519();
  checking("D2", () => {
    if (!isObject(record)) fail("record is not an object");
    if (record.format !== FORMAT) fail("format is " + show(record.format) + ", not " + FORMAT);
    closedObject(record, "record", RECORD_KEYS);
  });
  const election = await checkElection(record.election);
  const roll = checkRoll(record.roll, election);
  const rollHash = await hashOf(record.roll);
  checking("R6", () => {
    if (record.election.roll_hash !== rollHash) fail("election: roll_hash does not match the roll");
  });
  const walk = await checkLog(record, election, roll, verifier, sliceEntries, onProgress);
  const leafHashes = await Promise.all(walk.leafHashes);
  const tree = await Tree.of(leafHashes);
  await checkTreeHeads(record, election, walk, tree, verifier);
  const recount = walk.tally.result(record.roll);
  checking("C1", () => {
    if (integerBeyondLimit(record.tally) !== null) fail("tally holds an integer beyond ±2^53");
    if (canon(withoutExt(record.tally)) !== canon(recount)) fail("published tally differs from the recount");
  });
  await checkCertifications(record, election, verifier);
  return {
    record, election, tree, tally: recount, engine: verifier.engine,
    leafHashes, ballots: walk.ballots, counted: walk.counting.ballots(),
  };
}

// --- election (E1–E7) -------------------------------------------------------------------------

// E2: the estate's rules profile in force when the vote opened (spec v2 §3 `rules`).
function checkRules(value) {
  const where = "election rules";
  const rules = closedObject(value, where, RULES_KEYS);
  if (!oneOf(INVALID_RULES, rules.invalid_ballot)) {
    fail(where + ": invalid_ballot is " + show(rules.invalid_ballot) + ', not "took_part" or "not_counted"');
  }
  for (const key of ["notice_days", "roll_publication_days"]) {
    if (integer(rules, key, where, MIN_PERIOD_DAYS) > MAX_PERIOD_DAYS) {
      fail(where + ": " + key + " is more than " + MAX_PERIOD_DAYS);
    }
  }
  if (integer(rules, "max_extension_days", where, 0) > MAX_EXTENSION_DAYS) {
    fail(where + ": max_extension_days is more than " + MAX_EXTENSION_DAYS);
  }
  const low = integer(rules, "committee_min_members", where, 5);
  const high = integer(rules, "committee_max_members", where, low);
  if (low % 2 === 0 || high % 2 === 0 || high > MAX_COMMITTEE) {
    fail(where + ": the committee's sizes are not odd numbers from 5 to 11");
  }
  const bounds = ["group_min_members", "group_max_members"].map((key) =>
    rules[key] === null ? null : integer(rules, key, where, 1));
  if (bounds.some((bound) => bound !== null && bound % 2 === 0) ||
      (!bounds.includes(null) && bounds[0] > bounds[1])) {
    fail(where + ": the preparation group's sizes are not odd, or its minimum is above its maximum");
  }
  if (integer(rules, "group_min_owner_percent", where, 50) > 100) {
    fail(where + ": group_min_owner_percent is more than 100");
  }
  for (const [key, allowed] of [["parking_area", PARKING_AREA_RULES], ["buyers", BUYERS_RULES]]) {
    if (!oneOf(allowed, rules[key])) {
      fail(where + ": " + key + " is " + show(rules[key]) + ", not " + allowed.map(show).join(" or "));
    }
  }
}

async function checkElection(election) {
  checking("E1", () => {
    closedObject(election, "election", ELECTION_KEYS);
    identifier(election, "election_id", "election");
    const community = closedObject(election.community, "election community", COMMUNITY_KEYS);
    identifier(community, "code", "election community");
    identifier(community, "name", "election community");
    text(election, "title", "election");
  });
  const [opensAt, closesAt, maxExtension] = checking("E2", () => {
    const opens = beijingInstant(election, "opens_at");
    const closes = beijingInstant(election, "closes_at");
    if (!(opens < closes)) fail("election: opens_at is not before closes_at");
    if (!oneOf(["first", "last"], election.revote)) fail('election: revote is not "first" or "last"');
    checkRules(election.rules);
    // how far past closes_at an extension may move the close
    return [opens, closes, BigInt(election.rules.max_extension_days) * DAY];
  });
  const scopes = checkScopes(election.scopes);
  const motions = checkMotions(election.motions, scopes);
  const officers = checkOfficers(election.officers);
  const publicKey = checking("E7", () => {
    const key = usable(election, "election_public_key", "election");
    // The operator holds the vote's key: an officer holding it too could be impersonated.
    for (const officer of officers.values()) {
      if (officer.publicKeyText === election.election_public_key) {
        fail("election: election_public_key is an officer's key too");
      }
    }
    return key;
  });
  return {
    hash: await hashOf(election), opensAt, closesAt, maxExtension, revote: election.revote, publicKey, scopes, motions,
    officers, publicKeyText: election.election_public_key,
  };
}

function beijingInstant(election, key) {
  const moment = timestamp(election, key, "election");
  if (moment < BEIJING_EARLIEST || moment > BEIJING_LATEST) {
    fail("election: " + key + " is outside years 1–9999 in Beijing time (+08:00)");
  }
  return moment;
}

function checkScopes(scopes) {
  return checking("E3", () => {
    if (!Array.isArray(scopes) || !scopes.length) fail("election: scopes is not a non-empty list");
    const seen = [];
    scopes.forEach((scope, index) => {
      const where = "election scope " + index;
      closedObject(scope, where, SCOPE_KEYS);
      const scopeId = identifier(scope, "scope_id", where);
      text(scope, "title", where);
      if (index === 0 && scopeId !== ESTATE) fail(where + ': the first scope is not "' + ESTATE + '"');
      if (oneOf(seen, scopeId)) fail(where + ": duplicate scope_id " + show(scopeId));
      seen.push(scopeId);
    });
    return seen;
  });
}

function checkMotions(motions, scopes) {
  if (!Array.isArray(motions)) throw new RecordInvalid("E4", "election: motions is not a list");
  const checked = new Map();
  motions.forEach((motion, index) => {
    const where = "election motion " + index;
    const item = checking("E4", () => {
      requireKeys(motion, where, MOTION_KEYS);
      const motionId = identifier(motion, "motion_id", where);
      if (checked.has(motionId)) fail(where + ": duplicate motion_id " + show(motionId));
      text(motion, "title", where);
      const number = integer(motion, "item", where, 1);
      if (number > 9) fail(where + ": item is " + number + ", not an item 1–9 of art. 278");
      if (!oneOf(scopes, motion.scope)) fail(where + ": scope " + show(motion.scope) + " is not declared");
      checkDocuments(motion.documents, where);
      return number;
    });
    checking("E5", () => {
      const kind = motion.kind;
      if (typeof kind !== "string" || !has(MOTION_KIND_KEYS, kind)) fail(where + ": unknown kind " + show(kind));
      closedObject(motion, where, MOTION_KEYS.concat(MOTION_KIND_KEYS[kind]));
      let seats = 0;
      let candidateIds = [];
      if (kind === "committee") {
        if (item !== 3) fail(where + ": a committee election is item 3, not " + item);
        seats = integer(motion, "seats", where, 1);
        candidateIds = checkCandidates(motion.candidates, where);
      } else if (kind === "choice") {
        candidateIds = checkOptions(motion.options, where); // an owner names at most one (§5.1)
      }
      checked.set(motion.motion_id, { kind, scope: motion.scope, seats, candidateIds });
    });
  });
  return checked;
}

function checkDocuments(documents, where) {
  if (!Array.isArray(documents)) fail(where + ": documents is not a list");
  documents.forEach((document, index) => {
    const documentWhere = where + " document " + index;
    closedObject(document, documentWhere, DOCUMENT_KEYS);
    text(document, "title", documentWhere);
    binary(document, "sha256", documentWhere, 32);
  });
}

function checkCandidates(candidates, where) {
  if (!Array.isArray(candidates)) fail(where + ": candidates is not a list");
  const ids = [];
  candidates.forEach((candidate, index) => {
    const candidateWhere = where + " candidate " + index;
    closedObject(candidate, candidateWhere, CANDIDATE_KEYS);
    const candidateId = identifier(candidate, "candidate_id", candidateWhere);
    if (oneOf(ids, candidateId)) fail(candidateWhere + ": duplicate candidate_id " + show(candidateId));
    text(candidate, "name", candidateWhere);
    ids.push(candidateId);
  });
  return ids;
}

// A choice motion's option ids (§3.1): at least two objects with a unique id and a title.
function checkOptions(options, where) {
  if (!Array.isArray(options)) fail(where + ": options is not a list");
  if (options.length < 2) fail(where + ": a choice needs at least two options, not " + options.length);
  const ids = [];
  options.forEach((option, index) => {
    const optionWhere = where + " option " + index;
    closedObject(option, optionWhere, OPTION_KEYS);
    const optionId = identifier(option, "option_id", optionWhere);
    if (oneOf(ids, optionId)) fail(optionWhere + ": duplicate option_id " + show(optionId));
    text(option, "title", optionWhere);
    ids.push(optionId);
  });
  return ids;
}

function checkOfficers(officers) {
  return checking("E6", () => {
    if (!Array.isArray(officers)) fail("election: officers is not a list");
    const checked = new Map();
    const keysSeen = [];
    const clerkAccounts = [];
    officers.forEach((officer, index) => {
      const where = "election officer " + index;
      closedObject(officer, where, OFFICER_KEYS);
      const officerId = identifier(officer, "officer_id", where);
      if (officerId.indexOf("+") >= 0 || WHITE_SPACE.test(officerId)) {
        fail(where + ": officer_id " + show(officerId) + " has a space or a plus sign, which a signed-note key name"
          + " cannot hold");
      }
      if (checked.has(officerId)) fail(where + ": duplicate officer_id " + show(officerId));
      const role = officer.role;
      if (!oneOf(OFFICER_ROLES, role)) {
        fail(where + ": role " + show(role) + " is not one of " + OFFICER_ROLES.join(", "));
      }
      const publicKey = usable(officer, "public_key", where);
      if (oneOf(keysSeen, officer.public_key)) fail(where + ": public_key is another officer's too");
      keysSeen.push(officer.public_key);
      const account = text(officer, "account", where);
      if (role === "clerk") {
        if (oneOf(clerkAccounts, account)) fail(where + ": account " + show(account) + " holds a second clerk key");
        clerkAccounts.push(account);
      }
      const person = identifier(officer, "person", where);
      checked.set(officerId, { role, publicKey, publicKeyText: officer.public_key, person });
    });
    return checked;
  });
}

// --- roll (R1–R5) -----------------------------------------------------------------------------

function checkRoll(roll, election) {
  checking("R1", () => {
    closedObject(roll, "roll", ROLL_KEYS);
    if (!Array.isArray(roll.voters)) fail("roll: voters is not a list");
  });
  // Keys in use (a reissued key must be none of them); b64 text is one spelling per key.
  const keysInUse = new Set([election.publicKeyText]);
  for (const officer of election.officers.values()) keysInUse.add(officer.publicKeyText);
  const voters = new Map(); // voter_id -> {weights, key (raw, or null)}
  // Summed exactly: a sum beyond 2^53 must not round to a total that is within it.
  const sums = new Map(election.scopes.map((scope) => [scope, [0n, 0n]]));
  let previousId = null;
  roll.voters.forEach((voter, index) => {
    const where = "roll voter " + index;
    const voterId = checking("R1", () => {
      closedObject(voter, where, VOTER_KEYS);
      const id = identifier(voter, "voter_id", where);
      if (previousId !== null && compareCodePoints(id, previousId) <= 0) {
        const problem = id === previousId ? "duplicate voter_id " + show(id) : "voters are not sorted by voter_id";
        fail(where + ": " + problem);
      }
      return id;
    });
    previousId = voterId;
    checking("R2", () => checkWeights(voter.weights, where, election.scopes));
    const key = checking("R3", () => {
      if (voter.public_key === null) return null;
      const raw = usable(voter, "public_key", where);
      if (keysInUse.has(voter.public_key)) fail(where + ": public_key is not unique");
      keysInUse.add(voter.public_key);
      return raw;
    });
    checking("R4", () => binary(voter, "units_commitment", where, 32));
    for (const scope of Object.keys(voter.weights)) {
      const sum = sums.get(scope);
      sum[0] += BigInt(voter.weights[scope].area);
      sum[1] += BigInt(voter.weights[scope].heads);
    }
    voters.set(voterId, { weights: voter.weights, key });
  });
  checking("R5", () => {
    const totals = roll.totals;
    checkScopeKeys(totals, "roll totals", election.scopes, true);
    for (const scope of election.scopes) {
      const [area, heads] = weight(totals[scope], "roll totals " + scope);
      const [sumArea, sumHeads] = sums.get(scope);
      if (BigInt(area) !== sumArea || BigInt(heads) !== sumHeads) {
        fail("roll: totals of " + show(scope) + " are " + area + " area and " + heads + " heads, the voters sum to "
          + sumArea + " and " + sumHeads);
      }
      if (heads === 0) fail("roll: no voter has a weight in scope " + show(scope));
    }
  });
  return { voters, keysInUse };
}

function checkWeights(weights, where, scopes) {
  checkScopeKeys(weights, where + " weights", scopes, false);
  for (const scope of Object.keys(weights)) {
    const [, heads] = weight(weights[scope], where + " weight " + scope);
    // A voter is one person (法释〔2009〕7号 art. 9): one head wherever it has a weight.
    if (heads !== 1) fail(where + " weight " + scope + ": heads is " + heads + ", not 1: a voter is one person");
  }
}

function checkScopeKeys(value, where, scopes, requireAll) {
  if (!isObject(value)) fail(where + " is not an object");
  const missing = (requireAll ? scopes : [ESTATE]).filter((scope) => !has(value, scope)).sort(compareCodePoints);
  if (missing.length) fail(where + ": missing scope " + show(missing[0]));
  const unknown = Object.keys(value).filter((key) => !oneOf(scopes, key)).sort(compareCodePoints);
  if (unknown.length) fail(where + ": undeclared scope " + show(unknown[0]));
}

function weight(value, where) {
  closedObject(value, where, WEIGHT_KEYS);
  return [integer(value, "area", where, 0), integer(value, "heads", where, 0)];
}

// --- log (L1–L16) -----------------------------------------------------------------------------

// Entries are checked in order, each check of entry i before any of entry i + 1 (§9). Signatures
// are gathered a slice at a time and verified by WebCrypto while the next slice is checked; before
// any other fault is reported, those of the entries before it are verified, so that a bad
// signature of an earlier entry comes first.
async function checkLog(record, election, roll, verifier, sliceEntries, onProgress) {
  const log = record.log;
  checking("L1", () => {
    if (!Array.isArray(log)) fail("log is not a list");
  });
  const walk = new LogWalk(election, roll, record.election);
  let pending = []; // {index, key, message, signature} of the slice being checked
  let verifying = Promise.resolve(); // the slice before it

  function verifySlice(checks) {
    return Promise.all(checks.map((check) => verifier.verify(check.key, check.message, check.signature)))
      .then((results) => {
        const failed = results.indexOf(false);
        if (failed >= 0) throw new RecordInvalid("L12", "entry " + checks[failed].index + ": bad signature");
      });
  }

  for (let index = 0; index < log.length; index++) {
    try {
      for (const check of walk.entry(index, log[index])) pending.push(check);
    } catch (error) {
      await verifying;
      await verifySlice(pending);
      throw error;
    }
    if ((index + 1) % sliceEntries === 0) {
      await verifying;
      verifying = verifySlice(pending);
      verifying.catch(() => {}); // reported when awaited, in log order
      pending = [];
      onProgress({ phase: "log", done: index + 1, total: log.length });
      await new Promise((resolve) => setTimeout(resolve, 0)); // the page may draw and answer meanwhile
    }
  }
  await verifying;
  await verifySlice(pending);
  onProgress({ phase: "log", done: log.length, total: log.length });
  return walk;
}

class LogWalk {
  constructor(election, roll, definition) {
    this.election = election;
    this.voters = roll.voters;
    this.seenKeys = new Set(roll.keysInUse);
    this.keyInEffect = new Map(); // voter_id -> raw key or null, where a credential entry changed it
    this.closeChanges = []; // [seq, instant] of the extension entries passed
    this.scoped = new Set();
    for (const [motionId, motion] of election.motions) if (motion.scope !== ESTATE) this.scoped.add(motionId);
    this.leafHashes = []; // Promises of the entries' leaf hashes, asked for as they pass
    this.times = []; // instants
    this.ballots = new Map(); // seq -> what a receipt's finding tells of the ballot
    this.counting = new CountedBallots(election.revote);
    this.tally = new Tally(definition);
    this.nonces = new Map(); // voter_id -> Set of nonces
    this.firstOnline = new Map(); // voter_id -> seq of their first online ballot
    this.handins = new Map(); // seq -> hand-in not yet named by a ballot
    this.usedHandins = new Set();
    this.deskReceipts = new Set();
    this.check = "L1";
  }

  // The checks of one entry; returns the signatures it needs verified.
  entry(index, entry) {
    const election = this.election;
    const where = "entry " + index;
    this.check = "L1";
    try {
      closedObject(entry, where, ENTRY_KEYS);
      if (entry.seq !== index) fail(where + ": seq is " + show(entry.seq));
      this.check = "L2";
      const loggedAt = timestamp(entry, "logged_at", where);
      if (this.times.length && loggedAt < this.times[this.times.length - 1]) {
        fail(where + ": logged before entry " + (index - 1));
      }
      this.check = "L3";
      const kind = entry.kind;
      const body = entry.body;
      if (!oneOf(ENTRY_KINDS, kind)) fail(where + ": unknown kind " + show(kind));
      let bodyKeys = BODY_KEYS[kind];
      if (kind === "ballot") {
        const channel = isObject(body) ? body.channel : null;
        if (channel !== "online" && channel !== "paper") fail(where + ": unknown channel " + show(channel));
        bodyKeys = channel === "online" ? ONLINE_KEYS : PAPER_KEYS;
      }
      closedObject(body, where + " body", bodyKeys);
      if (body.election_hash !== election.hash) fail(where + ": body is for another election (election_hash differs)");
      this.check = "L4";
      const closesAt = this.closeAt(index);
      if (kind === "handin" || (kind === "ballot" && body.channel === "online")) {
        if (loggedAt < election.opensAt || loggedAt > closesAt) {
          fail(where + ": logged outside the voting period");
        }
      } else if (oneOf(["credential", "notices", "extension"], kind) && loggedAt > closesAt) {
        fail(where + ": logged after the close");
      }
      const signers = this[kind](index, where, body, entry.signatures, loggedAt);
      this.leafHashes.push(leafHash(utf8(canon(entry))));
      this.times.push(loggedAt);
      if (!signers.length) return [];
      const message = signedMessage(kind, body);
      return signers.map(([key, signature]) => ({ index, key, message, signature }));
    } catch (error) {
      if (error instanceof Fault) throw new RecordInvalid(this.check, error.message);
      throw error;
    }
  }

  // The close in effect at entry `index` (§5.5): election.closes_at, replaced by each extension
  // entry earlier in the log.
  closeAt(index) {
    let close = this.election.closesAt;
    for (const [seq, extended] of this.closeChanges) {
      if (seq >= index) break;
      close = extended;
    }
    return close;
  }

  onRoll(voterId, where) {
    if (typeof voterId !== "string" || !this.voters.has(voterId)) {
      fail(where + ": voter " + show(voterId) + " is not on the roll");
    }
  }

  ballot(index, where, body, signatures, loggedAt) {
    const election = this.election;
    const voterId = body.voter_id;
    const channel = body.channel;
    this.check = "L5";
    this.onRoll(voterId, where);
    if (binary(body, "nonce", where).length < MIN_NONCE_BYTES) {
      fail(where + ": nonce is shorter than " + MIN_NONCE_BYTES + " bytes");
    }
    if (channel === "paper") {
      binary(body, "paper_scan_sha256", where + " ballot", 32);
      if (body.proxy_sha256 !== null) binary(body, "proxy_sha256", where + " ballot", 32);
    }
    this.check = "L6";
    const choices = body.choices;
    checkChoices(choices, where, election.motions);
    const invalid = channel === "paper" ? body.invalid : Object.create(null);
    if (!isObject(invalid)) fail(where + ": invalid is not an object");
    for (const motionId of Object.keys(invalid)) {
      if (!election.motions.has(motionId)) fail(where + ": invalid mark on unknown motion " + show(motionId));
      if (!oneOf(INVALID_REASONS, invalid[motionId])) {
        fail(where + ": invalid mark on motion " + show(motionId) + " has reason " + show(invalid[motionId]));
      }
      if (has(choices, motionId)) fail(where + ": motion " + show(motionId) + " has a choice and an invalid mark");
    }
    this.check = "L7";
    const weights = this.voters.get(voterId).weights;
    for (const motionId of Object.keys(choices).concat(Object.keys(invalid))) {
      if (this.scoped.has(motionId) && !has(weights, election.motions.get(motionId).scope)) {
        fail(where + ": voter " + show(voterId) + " is outside the scope of motion " + show(motionId));
      }
    }
    const handin = this.checkAgainstEarlierBallots(index, where, body);
    this.check = "L12";
    const names = signerNames(signatures, where);
    let keys;
    if (channel === "online") {
      if (names.length !== 1 || names[0] !== voterId) {
        fail(where + ": online ballot needs exactly one signature, by its voter");
      }
      const key = this.keyInEffect.has(voterId) ? this.keyInEffect.get(voterId) : this.voters.get(voterId).key;
      if (key === null) fail(where + ": voter " + show(voterId) + " has no credential key in effect");
      keys = [key];
    } else {
      keys = this.officerKeys(names, ["clerk"], 2, where, "paper ballot needs two clerks");
    }
    this.countBallot(index, body, loggedAt, handin, names);
    return keys.map((key, position) => [key, signatures[position].signature]);
  }

  // L8–L11; returns the hand-in a paper ballot names.
  checkAgainstEarlierBallots(index, where, body) {
    const voterId = body.voter_id;
    const nonces = this.nonces.get(voterId);
    this.check = "L8";
    if (nonces && nonces.has(body.nonce)) fail(where + ": nonce already used by voter " + show(voterId));
    this.check = "L9";
    if (this.election.revote === "first" && this.counting.has(voterId)) {
      fail(where + ": second ballot of voter " + show(voterId) + ' although revote is "first"');
    }
    if (body.channel !== "paper") return null;
    const handinSeq = body.handin;
    this.check = "L10";
    const handin = isInt(handinSeq) ? this.handins.get(handinSeq) : undefined;
    if (handin === undefined) {
      const used = isInt(handinSeq) && this.usedHandins.has(handinSeq);
      const problem = used ? " was named by an earlier ballot" : " is not an earlier hand-in";
      fail(where + ": handin " + show(handinSeq) + problem);
    }
    if (handin.voterId !== null && handin.voterId !== voterId) {
      fail(where + ": handin " + handinSeq + " was for another voter");
    }
    this.check = "L11";
    const onlineSeq = this.firstOnline.get(voterId);
    if (onlineSeq !== undefined && onlineSeq < handinSeq && handin.identityChecked !== true) {
      fail(where + ": paper ballot of voter " + show(voterId) + ", handed in after their online ballot (entry "
        + onlineSeq + "), without an identity check at the hand-in");
    }
    return handin;
  }

  // What a ballot that passed its checks changes for the entries after it, and the count.
  countBallot(index, body, loggedAt, handin, signers) {
    const voterId = body.voter_id;
    if (!this.nonces.has(voterId)) this.nonces.set(voterId, new Set());
    this.nonces.get(voterId).add(body.nonce);
    let castAt = loggedAt;
    if (body.channel === "online") {
      if (!this.firstOnline.has(voterId)) this.firstOnline.set(voterId, index);
    } else {
      this.handins.delete(handin.seq);
      this.usedHandins.add(handin.seq);
      castAt = handin.loggedAt;
    }
    this.ballots.set(index, { seq: index, voterId, channel: body.channel, castAt, handin, signers, body });
    const counting = this.counting.add(voterId, castAt, index);
    if (counting.counts) {
      const weights = this.voters.get(voterId).weights;
      if (counting.displaced !== null) this.tally.add(weights, this.ballots.get(counting.displaced).body, -1);
      this.tally.add(weights, body, 1);
    }
  }

  handin(index, where, body, signatures, loggedAt) {
    this.check = "L13";
    const voterId = body.voter_id;
    if (voterId !== null) this.onRoll(voterId, where);
    if (typeof body.identity_checked !== "boolean") fail(where + ": identity_checked is not true or false");
    if (body.identity_checked && voterId === null) fail(where + ": identity checked, but of no voter");
    const deskReceipt = identifier(body, "desk_receipt", where + " handin");
    if (this.deskReceipts.has(deskReceipt)) fail(where + ": desk_receipt " + show(deskReceipt) + " was used before");
    this.check = "L12";
    const keys = this.officerKeys(signerNames(signatures, where), ["clerk"], 1, where,
      "hand-in needs one clerk's signature");
    this.deskReceipts.add(deskReceipt);
    this.handins.set(index, {
      seq: index, deskReceipt, voterId, identityChecked: body.identity_checked, loggedAt,
    });
    return keys.map((key, position) => [key, signatures[position].signature]);
  }

  credential(index, where, body, signatures) {
    this.check = "L14";
    const voterId = body.voter_id;
    this.onRoll(voterId, where);
    if (!oneOf(CREDENTIAL_ACTIONS, body.action)) {
      fail(where + ": action is " + show(body.action) + ", not revoke or reissue");
    }
    if (!oneOf(CREDENTIAL_REASONS, body.reason)) {
      fail(where + ": reason " + show(body.reason) + " is not one of " + CREDENTIAL_REASONS.join(", "));
    }
    let key = null;
    if (body.action === "revoke") {
      if (body.public_key !== null) fail(where + ": a revocation carries no public_key");
    } else {
      key = usable(body, "public_key", where + " credential");
      if (this.seenKeys.has(body.public_key)) fail(where + ": the reissued key was used before");
    }
    this.check = "L12";
    const keys = this.officerKeys(signerNames(signatures, where), CREDENTIAL_SIGNERS, 2, where,
      "credential act needs two preparation-group or street-office officers");
    if (key !== null) this.seenKeys.add(body.public_key);
    this.keyInEffect.set(voterId, key);
    return keys.map((officerKey, position) => [officerKey, signatures[position].signature]);
  }

  notices(index, where, body, signatures) {
    this.check = "L15";
    integer(body, "count", where + " notices", 0);
    text(body, "downloaded_by", where + " notices");
    this.check = "L12";
    if (signerNames(signatures, where).length) fail(where + ": a notices entry carries no signatures");
    return [];
  }

  extension(index, where, body, signatures) {
    this.check = "L16";
    const election = this.election;
    const previous = this.closeAt(index);
    if (timestamp(body, "previous_closes_at", where + " extension") !== previous) {
      fail(where + ": previous_closes_at is not the close in effect");
    }
    const closesAt = timestamp(body, "closes_at", where + " extension");
    if (closesAt < BEIJING_EARLIEST || closesAt > BEIJING_LATEST) {
      fail(where + ": closes_at is outside years 1–9999 in Beijing time (+08:00)");
    }
    if (closesAt <= previous) fail(where + ": closes_at is not after the close in effect");
    if (closesAt > election.closesAt + election.maxExtension) {
      fail(where + ": closes_at is beyond the rules' max_extension_days after the election's close");
    }
    identifier(body, "reason", where + " extension");
    this.check = "L12";
    const names = signerNames(signatures, where);
    const keys = this.officerKeys(names, EXTENSION_SIGNERS, 2, where,
      "extension needs two preparation-group or street-office officers");
    if (names.every((name) => election.officers.get(name).role !== "street_office")) {
      fail(where + ": extension needs a street-office officer's signature");
    }
    this.closeChanges.push([index, closesAt]);
    return keys.map((key, position) => [key, signatures[position].signature]);
  }

  // The keys of `count` officers of these roles, of as many different persons.
  officerKeys(names, roles, count, where, need) {
    const officers = names.map((name) => this.election.officers.get(name));
    const persons = new Set(officers.map((officer) => officer && officer.person));
    if (officers.length !== count || officers.some((officer) => !officer || !oneOf(roles, officer.role))
        || persons.size !== count) {
      fail(where + ": " + need + " (" + (count === 2 ? "two different people" : "its signer") + ")");
    }
    return officers.map((officer) => officer.publicKey);
  }
}

function signerNames(signatures, where) {
  if (!Array.isArray(signatures)) fail(where + ": signatures is not a list");
  return signatures.map((signature, index) => {
    const signatureWhere = where + " signature " + index;
    closedObject(signature, signatureWhere, SIGNATURE_KEYS);
    const name = identifier(signature, "signer", signatureWhere);
    text(signature, "signature", signatureWhere);
    return name;
  });
}

function checkChoices(choices, where, motions) {
  if (!isObject(choices)) fail(where + ": choices is not an object");
  for (const motionId of Object.keys(choices)) {
    const motion = motions.get(motionId);
    if (motion === undefined) fail(where + ": choice for unknown motion " + show(motionId));
    const problem = choiceFault(choices[motionId], motion);
    if (problem) fail(where + ": choice for motion " + show(motionId) + " " + problem);
  }
}

function choiceFault(choice, motion) {
  if (motion.kind === "question") return oneOf(QUESTION_CHOICES, choice) ? null : "is not yes, no or abstain";
  if (motion.kind === "choice") return optionChoiceFault(choice, motion.candidateIds);
  if (!Array.isArray(choice)) return "is not a list of candidates";
  for (const candidateId of choice) {
    if (typeof candidateId !== "string" || !oneOf(motion.candidateIds, candidateId)) {
      return "names unknown candidate " + show(candidateId);
    }
  }
  if (new Set(choice).size !== choice.length) return "names a candidate twice";
  if (choice.length > motion.seats) return "names more candidates than the " + motion.seats + " seats";
  return null;
}

// A choice motion's choice: a list of at most one of its options (§5.1).
function optionChoiceFault(choice, optionIds) {
  if (!Array.isArray(choice)) return "is not a list of options";
  for (const optionId of choice) {
    if (typeof optionId !== "string" || !oneOf(optionIds, optionId)) return "names unknown option " + show(optionId);
  }
  if (choice.length > 1) return "names more than one option";
  return null;
}

// --- counting (§7) ----------------------------------------------------------------------------

// The ballot that counts for each voter (§7.1), fed every ballot in log order with its cast time.
class CountedBallots {
  constructor(revote) {
    this.keepFirst = revote === "first";
    this.counted = new Map(); // voter_id -> {castAt, seq}
  }

  has(voterId) {
    return this.counted.has(voterId);
  }

  // Whether the ballot counts now, and the seq of the ballot it displaced (null where none).
  add(voterId, castAt, seq) {
    const current = this.counted.get(voterId);
    if (current === undefined) {
      this.counted.set(voterId, { castAt, seq });
      return { counts: true, displaced: null };
    }
    if (!this.keepFirst && castAt >= current.castAt) {
      this.counted.set(voterId, { castAt, seq });
      return { counts: true, displaced: current.seq };
    }
    return { counts: false, displaced: null };
  }

  // voter_id -> seq of the counted ballot
  ballots() {
    const ballots = new Map();
    for (const [voterId, counted] of this.counted) ballots.set(voterId, counted.seq);
    return ballots;
  }
}

// The tally of §7, summed as the counted ballots become known (one displaced by a later ballot
// is taken back). Within a valid roll every sum stays within the totals, so within 2^53.
class Tally {
  constructor(definition) {
    this.definition = definition;
    this.motions = definition.motions;
    this.sums = new Map(); // motion_id -> option -> [area, heads]
    for (const motion of this.motions) {
      const options = new Map();
      const names = motion.kind === "committee" ? motion.candidates.map((candidate) => candidate.candidate_id)
        : motion.kind === "choice" ? motion.options.map((option) => option.option_id)
          : QUESTION_CHOICES;
      for (const name of names) options.set(name, [0, 0]);
      this.sums.set(motion.motion_id, options);
    }
    this.inScope = new Map(this.motions.map((motion) => [motion.scope, [0, 0]]));
    this.invalid = new Map(this.motions.map((motion) => [motion.motion_id, [0, 0]]));
    this.scopeOf = new Map(this.motions.map((motion) => [motion.motion_id, motion.scope]));
    this.counted = 0;
  }

  // Count a ballot body of a voter with these weights; sign -1 takes it back.
  add(weights, ballot, sign) {
    this.counted += sign;
    for (const [scope, total] of this.inScope) {
      if (has(weights, scope)) {
        total[0] += sign * weights[scope].area;
        total[1] += sign * weights[scope].heads;
      }
    }
    const marks = ballot.invalid || Object.create(null);
    for (const motionId of Object.keys(marks)) {
      const scope = this.scopeOf.get(motionId);
      if (has(weights, scope)) {
        const total = this.invalid.get(motionId);
        total[0] += sign * weights[scope].area;
        total[1] += sign * weights[scope].heads;
      }
    }
    for (const motionId of Object.keys(ballot.choices)) {
      const scope = this.scopeOf.get(motionId);
      if (!has(weights, scope) || has(marks, motionId)) continue; // outside its scope, or marked invalid
      const choice = ballot.choices[motionId];
      const options = this.sums.get(motionId);
      for (const option of typeof choice === "string" ? [choice] : choice) {
        const total = options.get(option);
        total[0] += sign * weights[scope].area;
        total[1] += sign * weights[scope].heads;
      }
    }
  }

  // The tally object (§7.4) against the roll's totals.
  result(roll) {
    const notCounted = this.definition.rules.invalid_ballot === "not_counted";
    const motions = this.motions.map((motion) => {
      let takingPart = this.inScope.get(motion.scope).slice();
      let marked = this.invalid.get(motion.motion_id);
      if (notCounted) { // whose ballot marks the motion invalid did not take part in it
        takingPart = [takingPart[0] - marked[0], takingPart[1] - marked[1]];
        marked = [0, 0];
      }
      return countMotion(motion, this.sums.get(motion.motion_id), takingPart, marked, roll.totals[motion.scope]);
    });
    return { counted: this.counted, motions };
  }
}

const pair = ([area, heads]) => ({ area, heads });
// Cross-multiplied in BigInt: three times an area near 2^53 is beyond a double's exact integers.
const big = (weight) => [BigInt(weight.area), BigInt(weight.heads)];

function quorate(participation, totals) {
  const [p, t] = [big(participation), big(totals)];
  return 3n * p[0] >= 2n * t[0] && 3n * p[1] >= 2n * t[1];
}

function passes(threshold, yes, participation) {
  const [y, p] = [big(yes), big(participation)];
  if (threshold === "major") return 4n * y[0] >= 3n * p[0] && 4n * y[1] >= 3n * p[1];
  return 2n * y[0] > p[0] && 2n * y[1] > p[1];
}

function countMotion(motion, sums, takingPart, invalid, totals) {
  const participation = pair(takingPart);
  const isQuorate = quorate(participation, totals);
  const threshold = oneOf(MAJOR_ITEMS, motion.item) ? "major" : "ordinary";
  const entry = {
    motion_id: motion.motion_id, kind: motion.kind, item: motion.item, threshold, scope: motion.scope,
    totals: { area: totals.area, heads: totals.heads }, participation,
  };
  if (motion.kind === "choice") return Object.assign(entry, countChoice(sums, takingPart, invalid, isQuorate, threshold));
  if (motion.kind === "committee") {
    const candidates = Array.from(sums, ([candidateId, weight]) => {
      const support = pair(weight);
      return { candidate_id: candidateId, area: support.area, heads: support.heads,
        approved: isQuorate && passes("ordinary", support, participation) };
    });
    const [elected, tied] = elect(candidates, motion.seats);
    const unfilled = motion.seats - elected.length;
    return Object.assign(entry, {
      invalid: pair(invalid), quorate: isQuorate, candidates, elected, tied, unfilled,
      result: !isQuorate ? "not_quorate" : unfilled ? "incomplete" : "complete",
    });
  }
  const yes = pair(sums.get("yes"));
  const no = pair(sums.get("no"));
  const abstain = {
    area: takingPart[0] - yes.area - no.area - invalid[0],
    heads: takingPart[1] - yes.heads - no.heads - invalid[1],
  };
  return Object.assign(entry, {
    yes, no, abstain, invalid: pair(invalid), quorate: isQuorate,
    result: !isQuorate ? "not_quorate" : passes(threshold, yes, participation) ? "passed" : "failed",
  });
}

// A choice's options (§7.3): each adopted iff quorate and its weight passes the item's threshold;
// each voter names at most one option, so at most one passes.
function countChoice(sums, takingPart, invalid, isQuorate, threshold) {
  const participation = pair(takingPart);
  const options = Array.from(sums, ([optionId, weight]) => {
    const support = pair(weight);
    return { option_id: optionId, area: support.area, heads: support.heads,
      adopted: isQuorate && passes(threshold, support, participation) };
  });
  const adopted = options.find((option) => option.adopted);
  const named = options.reduce((sum, option) => [sum[0] + option.area, sum[1] + option.heads], [0, 0]);
  return {
    options,
    abstain: { area: takingPart[0] - named[0] - invalid[0], heads: takingPart[1] - named[1] - invalid[1] },
    invalid: pair(invalid), quorate: isQuorate, adopted_option: adopted ? adopted.option_id : null,
    result: !isQuorate ? "not_quorate" : adopted ? "adopted" : "none_adopted",
  };
}

// Approved candidates rank by heads, then area, descending (equal ones keep the motion's order);
// equal weight at the last seat and the next is a tie, and none of those tied is elected.
function elect(candidates, seats) {
  const standing = (candidate) => [candidate.heads, candidate.area];
  const compare = (a, b) => b.heads - a.heads || b.area - a.area; // Array.prototype.sort is stable
  const ranked = candidates.filter((candidate) => candidate.approved).sort(compare);
  if (ranked.length > seats && compare(ranked[seats - 1], ranked[seats]) === 0) {
    const edge = standing(ranked[seats]);
    const atEdge = (candidate) => candidate.heads === edge[0] && candidate.area === edge[1];
    return [
      ranked.slice(0, seats).filter((candidate) => !atEdge(candidate)).map((candidate) => candidate.candidate_id),
      ranked.filter(atEdge).map((candidate) => candidate.candidate_id),
    ];
  }
  return [ranked.slice(0, seats).map((candidate) => candidate.candidate_id), []];
}

// --- tree heads (T1–T5) -------------------------------------------------------------------------

async function checkTreeHeads(record, election, walk, tree, verifier) {
  const size = walk.leafHashes.length;
  checking("T1", () => {
    if (!Array.isArray(record.checkpoints)) fail("checkpoints is not a list");
  });
  const heads = record.checkpoints.map((head, index) => ["checkpoint " + index, head]);
  heads.push(["tree head", record.tree_head]);
  let previous = -1;
  for (const [where, head] of heads) {
    const [headSize, root] = checking("T1", () => {
      closedObject(head, where, CHECKPOINT_KEYS);
      const headSizeValue = integer(head, "size", where, 0);
      if (where === "tree head") {
        if (headSizeValue !== size) {
          fail("tree head: size is " + headSizeValue + ", the log holds " + size + " entries");
        }
      } else if (headSizeValue <= previous) {
        fail(where + ": size " + headSizeValue + " does not follow " + previous);
      } else if (headSizeValue > size) {
        fail(where + ": size " + headSizeValue + " is beyond the log's " + size + " entries");
      }
      const rootValue = binary(head, "root", where, 32);
      if (!Array.isArray(head.cosignatures)) fail(where + ": cosignatures is not a list");
      return [headSizeValue, rootValue];
    });
    previous = headSize;
    const prefixRoot = await tree.root(headSize);
    checking("T2", () => {
      if (!equalBytes(root, prefixRoot)) fail(where + ": root is not that of the log's first " + headSize + " entries");
    });
    const checkpoint = checkpointText(election.hash, headSize, root);
    if (!(await verifier.verify(election.publicKey, utf8(checkpoint), head.signature))) {
      throw new RecordInvalid("T3", where + ": bad signature");
    }
    await checkCosignatures(head.cosignatures, where, checkpoint, election, headSize ? walk.times[headSize - 1] : null,
      verifier);
  }
  // T5: after the first head a witness cosigned at or after the close in effect at its size, only
  // paper ballots join the log (an extension, too, is a staff act that cannot be slipped in).
  checking("T5", () => {
    const witnessed = heads.filter(([, head]) => head.cosignatures.some(
      (cosignature) => BigInt(cosignature.time) * 1000000n >= walk.closeAt(head.size)))
      .map(([, head]) => head.size);
    if (!witnessed.length) fail("the close is not witnessed: no checkpoint is cosigned at or after closes_at");
    const closeSize = Math.min(...witnessed);
    for (let seq = closeSize; seq < size; seq++) {
      const ballot = walk.ballots.get(seq);
      if (ballot === undefined || ballot.channel !== "paper") {
        fail("entry " + seq + ": only paper ballots may follow the close witnessed at " + closeSize
          + " entries, and this is not one");
      }
    }
  });
}

async function checkCosignatures(cosignatures, where, checkpoint, election, lastTime, verifier) {
  const witnesses = [];
  for (let index = 0; index < cosignatures.length; index++) {
    const cosignature = cosignatures[index];
    const cosignatureWhere = where + " cosignature " + index;
    const [officer, time] = checking("T4", () => {
      closedObject(cosignature, cosignatureWhere, COSIGNATURE_KEYS);
      const witness = identifier(cosignature, "witness", cosignatureWhere);
      const found = election.officers.get(witness);
      if (!found || !oneOf(WITNESS_ROLES, found.role)) {
        fail(cosignatureWhere + ": " + show(witness) + " is not a witness or street-office officer");
      }
      if (oneOf(witnesses, witness)) fail(cosignatureWhere + ": " + show(witness) + " cosigned twice");
      witnesses.push(witness);
      const timeValue = integer(cosignature, "time", cosignatureWhere, 0);
      // whole seconds, the entry's time rounded down
      if (lastTime !== null && BigInt(timeValue) < floorDiv(lastTime, 1000000n)) {
        fail(cosignatureWhere + ": time is before the last entry it covers");
      }
      return [found, timeValue];
    });
    const message = utf8(cosignatureMessage(checkpoint, time));
    if (!(await verifier.verify(officer.publicKey, message, cosignature.signature))) {
      throw new RecordInvalid("T4", cosignatureWhere + ": bad signature");
    }
  }
}

// --- certifications (C2) ----------------------------------------------------------------------

async function checkCertifications(record, election, verifier) {
  const certifications = record.certifications;
  checking("C2", () => {
    if (!Array.isArray(certifications)) fail("certifications is not a list");
  });
  const tallyHash = await hashOf(record.tally);
  for (let index = 0; index < certifications.length; index++) {
    const where = "certification " + index;
    const certification = certifications[index];
    const officer = checking("C2", () => {
      closedObject(certification, where, SIGNED_KEYS);
      const body = closedObject(certification.body, where + " body", CERTIFICATION_BODY_KEYS);
      if (body.election_hash !== election.hash) fail(where + ": election_hash does not match the election");
      if (body.tree_root !== record.tree_head.root || integer(body, "tree_size", where, 0) !== record.tree_head.size) {
        fail(where + ": certifies another tree head");
      }
      if (body.tally_hash !== tallyHash) fail(where + ": tally_hash does not match the published tally");
      timestamp(body, "certified_at", where);
      const officerId = identifier(body, "officer_id", where);
      const found = election.officers.get(officerId);
      if (!found || found.role !== "street_office") {
        fail(where + ": " + show(officerId) + " is not a street office officer");
      }
      return found;
    });
    const message = signedMessage("certification", certification.body);
    if (!(await verifier.verify(officer.publicKey, message, certification.signature))) {
      throw new RecordInvalid("C2", where + ": bad signature");
    }
  }
}

// --- receipts (§10) -----------------------------------------------------------------------------

// Check a receipt (its bytes, text or parsed value) against a record verifyRecord accepted
// (P1–P5). Resolves to the finding of §10 as the JSON object verify_record.py --json prints.
export async function checkReceipt(verified, input) {
  let receipt = input;
  if (typeof input === "string" || input instanceof ArrayBuffer || input instanceof Uint8Array) {
    try {
      receipt = parseJSON(input);
    } catch (error) {
      if (error instanceof NotRecordJSON) throw new RecordInvalid("P1", "not a JSON receipt: " + error.message);
      throw error;
    }
  }
  const { record, election } = verified;
  const verifier = await ed25519();
  const { size, root, seq, entryHash, proof } = checking("P1", () => {
    closedObject(receipt, "receipt", RECEIPT_KEYS);
    if (receipt.format !== RECEIPT_FORMAT) {
      fail("receipt: format is " + show(receipt.format) + ", not " + RECEIPT_FORMAT);
    }
    if (receipt.election_hash !== election.hash || receipt.election_id !== record.election.election_id) {
      fail("receipt: it is for another election");
    }
    const head = closedObject(receipt.checkpoint, "receipt checkpoint", RECEIPT_CHECKPOINT_KEYS);
    const headSize = integer(head, "size", "receipt checkpoint", 1);
    const headRoot = binary(head, "root", "receipt checkpoint", 32);
    const entrySeq = integer(receipt, "seq", "receipt", 0);
    const hash = binary(receipt, "entry_hash", "receipt", 32);
    if (!Array.isArray(receipt.inclusion_proof)) fail("receipt: inclusion_proof is not a list");
    const nodes = receipt.inclusion_proof.map((node) => binary({ node }, "node", "receipt inclusion_proof", 32));
    return { size: headSize, root: headRoot, seq: entrySeq, entryHash: hash, proof: nodes };
  });
  const checkpoint = utf8(checkpointText(election.hash, size, root));
  if (!(await verifier.verify(election.publicKey, checkpoint, receipt.checkpoint.signature))) {
    throw new RecordInvalid("P2", "receipt: its checkpoint is not signed by this vote's key");
  }
  const included = await verifyInclusion(entryHash, seq, size, proof, root);
  checking("P3", () => {
    if (!included) {
      fail("receipt: entry " + seq + " is not in its checkpoint of " + size + " entries");
    }
  });
  const prefixRoot = size <= verified.leafHashes.length ? await verified.tree.root(size) : null;
  checking("P4", () => {
    if (prefixRoot === null || !equalBytes(prefixRoot, root)) {
      fail("receipt: the published log does not extend its checkpoint of " + size + " entries — the log was"
        + " rewritten after the receipt was given");
    }
  });
  const ballot = checking("P5", () => {
    const found = verified.ballots.get(seq);
    if (!equalBytes(verified.leafHashes[seq], entryHash) || found === undefined
        || record.log[seq].logged_at !== receipt.logged_at) {
      fail("receipt: entry " + seq + " of the published log is not the receipt's ballot");
    }
    return found;
  });
  const countedSeq = verified.counted.get(ballot.voterId);
  const replacedBy = countedSeq === seq ? null : describeBallot(verified.ballots.get(countedSeq));
  return {
    receipt: "valid", seq, voter_id: ballot.voterId, status: replacedBy ? "replaced" : "counted",
    replaced_by: replacedBy,
  };
}

// A ballot as an owner is told of it: when and how it was cast, and who signed it.
function describeBallot(ballot) {
  const described = { seq: ballot.seq, channel: ballot.channel, cast_at: beijingTime(ballot.castAt) };
  if (ballot.channel === "paper") {
    described.desk_receipt = ballot.handin.deskReceipt;
    described.handin_seq = ballot.handin.seq;
    described.identity_checked = ballot.handin.identityChecked;
    described.clerks = ballot.signers;
  }
  return described;
}

// --- held checkpoints (§10) ---------------------------------------------------------------------

// The bytes of a C2SP signed note a witness or the notice board kept, checked against a record
// verifyRecord accepted (H1–H3). Resolves to the finding of §10.
export async function checkHeldCheckpoint(verified, noteBytes) {
  const { record, election } = verified;
  const origin = "gongzhi/" + election.hash;
  const { text, lines, size, root } = checking("H1", () => parseHeldNote(noteBytes, origin));
  const message = utf8(text);
  const verifier = await ed25519();
  const cosignedBy = [];
  let signedByLog = false;
  for (const [name, blob] of lines) {
    const officer = election.officers.get(name);
    if (name === origin && equalBytes(blob.subarray(0, 4), await keyId(name, election.publicKey, 0x01))) {
      if (!(await verifier.verify(election.publicKey, message, b64e(blob.subarray(4))))) {
        throw new RecordInvalid("H2", "checkpoint: bad signature by the vote's key");
      }
      signedByLog = true;
    } else if (officer && oneOf(WITNESS_ROLES, officer.role)) {
      if (blob.length !== 76 || !equalBytes(blob.subarray(0, 4), await keyId(name, officer.publicKey, 0x04))) {
        continue; // a line for some other key of that name: not ours to judge
      }
      const time = new DataView(blob.buffer, blob.byteOffset + 4, 8).getBigUint64(0);
      if (!(await verifier.verify(officer.publicKey, utf8(cosignatureMessage(text, time)), b64e(blob.subarray(12))))) {
        throw new RecordInvalid("H2", "checkpoint: bad cosignature by " + show(name));
      }
      cosignedBy.push(name);
    }
  }
  if (!signedByLog) throw new RecordInvalid("H2", "checkpoint: not signed by this vote's key");
  const prefixRoot = size <= BigInt(verified.leafHashes.length) ? await verified.tree.root(Number(size)) : null;
  checking("H3", () => {
    if (prefixRoot === null || !equalBytes(prefixRoot, root)) {
      fail("checkpoint: the published log does not extend this checkpoint of " + size + " entries — the history it"
        + " covers was rewritten");
    }
  });
  const listed = record.checkpoints.concat([record.tree_head]).some((head) => head.size === Number(size));
  return { checkpoint: "extended", size: Number(size), cosigned_by: cosignedBy, listed_in_record: listed };
}

// The checkpoint text of a signed note and its (name, key id + signature) lines (H1).
function parseHeldNote(noteBytes, origin) {
  let note;
  try {
    note = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(noteBytes);
  } catch (error) {
    fail("checkpoint: the file is not UTF-8 text");
  }
  const split = note.indexOf("\n\n");
  const signatures = split < 0 ? "" : note.slice(split + 2);
  if (split <= 0 || !signatures.endsWith("\n")) {
    fail("checkpoint: not a signed note: no empty line between the text and its signatures");
  }
  const lines = signatures.slice(0, -1).split("\n").map((line) => {
    const fields = line.split(" ");
    const blob = fields.length === 3 && fields[0] === "\u2014" && fields[1] ? std64d(fields[2]) : null;
    if (blob === null) fail("checkpoint: not a signature line: " + show(line));
    return [fields[1], blob];
  });
  const text = note.slice(0, split + 1);
  const [originLine, sizeLine, rootLine] = text.split("\n");
  const root = rootLine === undefined ? null : std64d(rootLine);
  // The text is compared with the one this size and root make, byte for byte: that refuses a size
  // with leading zeros or a root spelled otherwise.
  if (originLine !== origin || !/^[0-9]+$/.test(sizeLine || "") || root === null || root.length !== 32
      || text !== checkpointText(origin.slice("gongzhi/".length), BigInt(sizeLine), root)) {
    fail("checkpoint: it is not a checkpoint of this vote's log");
  }
  return { text, lines, size: BigInt(sizeLine), root };
}

// The 4-byte key id of a signed-note key: H(name ‖ 0x0A ‖ type ‖ key)[:4].
async function keyId(name, publicKey, type) {
  return (await sha256(utf8(name + "\n"), Uint8Array.of(type), publicKey)).subarray(0, 4);
}
