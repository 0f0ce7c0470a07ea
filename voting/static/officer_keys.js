// An officer's signing key: a clerk's for paper ballots (spec §2.3), a street-office
// officer's for certifications (§2.6) and for cosigning the vote's log as its witness (spec v2
// §6). The key pair is made here with WebCrypto, its private half non-extractable, and kept in
// this browser's IndexedDB: the server only ever sees the public key and signatures. Page data
// comes from <script type="application/json" id="clerk-data">; every text shown is in the page
// already. Bodies are signed over the same bytes as on the owners' phones (vote.js).
import { verifyConsistency } from "./verify/merkle.js";
import { b64d, b64e, signedMessage, std64e, utf8 } from "./verify/canonical.js";

const DB_NAME = "gongzhi-clerk";
const STORE = "keys";

// --- the key store -------------------------------------------------------------------------

function request(operation) {
  return new Promise((resolve, reject) => {
    operation.onsuccess = () => resolve(operation.result);
    operation.onerror = () => reject(operation.error);
  });
}

async function store(mode) {
  const opening = indexedDB.open(DB_NAME, 1);
  opening.onupgradeneeded = () => opening.result.createObjectStore(STORE);
  const database = await request(opening);
  return database.transaction(STORE, mode).objectStore(STORE);
}

// A slot holds a key pair, or (slot + "/cosigned") the last head of the log cosigned with it.
async function load(slot) {
  return request((await store("readonly")).get(slot));
}

async function save(slot, record) {
  return request((await store("readwrite")).put(record, slot));
}

async function supportsEd25519() {
  if (!window.crypto || !crypto.subtle || !window.indexedDB) return false;
  try {
    await crypto.subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"]);
    return true;
  } catch (error) {
    return false;
  }
}

// --- the page ---------------------------------------------------------------------------------

function show(name) {
  document.querySelectorAll("[data-clerk-show]").forEach((element) => {
    element.hidden = element.dataset.clerkShow !== name;
  });
}

function showWorking(working) {
  document.querySelectorAll("[data-clerk-working]").forEach((element) => {
    element.hidden = !working;
  });
}

function showError(text) {
  const element = document.querySelector("[data-clerk-error]");
  if (element) {
    element.textContent = text;
    element.hidden = false;
  }
}

// Every URL in the page data is a route of the JSON API (/api/…, voting/api/), which answers
// JSON also when it refuses; the session's CSRF token goes in the header CSRFProtect reads.
async function post(url, body, csrfToken) {
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken },
    body: JSON.stringify(body),
  });
  const answer = await response.json().catch(() => ({ error: response.statusText }));
  if (!response.ok) throw new Error(answer.error || response.statusText);
  return answer;
}

async function register(data, slot) {
  const keyPair = await crypto.subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"]);
  const publicKey = b64e(new Uint8Array(await crypto.subtle.exportKey("raw", keyPair.publicKey)));
  // Kept before registering, so that a registered key can never be lost on the way.
  await save(slot, { keyPair, publicKey });
  await post(data.register_url, { public_key: publicKey }, data.csrf_token);
  window.location.reload();
}

async function sign(data, record, officer, ticked) {
  const purpose = data.sign.purpose || "ballot";
  const body = purpose === "ballot" ? data.sign.ballot : data.sign.body;
  const signature = await crypto.subtle.sign({ name: "Ed25519" }, record.keyPair.privateKey,
    signedMessage(purpose, body));
  // A ballot body waits on the server; any other body travels back with its signature, and with
  // the tick of the confirmation the server asks for before it stores a certification.
  const signed = { officer_id: officer.officer_id, signature: b64e(new Uint8Array(signature)), ...ticked };
  await post(data.sign.post_url, purpose === "ballot" ? signed : { ...signed, body }, data.csrf_token);
  window.location.assign(data.sign.done_url);
}

// --- witnessing the vote's log -------------------------------------------------------------------

// Cosign the log as it is now (C2SP tlog-cosignature/v1). Before signing, this browser checks
// for itself what a witness vouches for: the head is signed by the vote's key, the server's
// clock agrees with this one, and the log extends the head this browser cosigned last (an RFC
// 9162 consistency proof, checked here: the server's own check cannot protect against its
// operator). The head is kept before the cosignature leaves, so it is never forgotten.
async function cosign(data, record, officer, slot) {
  const witness = data.cosign;
  const kept = await load(slot + "/cosigned");
  const head = await post(witness.checkpoint_url, { since: kept ? kept.size : null }, data.csrf_token);
  if (!Number.isSafeInteger(head.time) || !Number.isSafeInteger(head.size) || head.size < 0) {
    throw new Error(witness.fork_error); // not a head this browser can vouch for
  }
  if (Math.abs(head.time - Date.now() / 1000) > witness.clock_tolerance) throw new Error(witness.clock_error);
  const root = b64d(head.root);
  const text = utf8(`gongzhi/${witness.election_hash}\n${head.size}\n${std64e(root)}\n`);
  const logKey = await crypto.subtle.importKey("raw", b64d(witness.log_key), { name: "Ed25519" }, false,
    ["verify"]);
  const genuine = head.election_hash === witness.election_hash
    && await crypto.subtle.verify({ name: "Ed25519" }, logKey, b64d(head.signature), text);
  const extending = !kept || (head.consistency_proof !== null && await verifyConsistency(
    kept.size, head.size, b64d(kept.root), root, head.consistency_proof.map(b64d)));
  if (!genuine || !extending) throw new Error(witness.fork_error);
  const message = new Uint8Array([...utf8(`cosignature/v1\ntime ${head.time}\n`), ...text]);
  const signature = await crypto.subtle.sign({ name: "Ed25519" }, record.keyPair.privateKey, message);
  await save(slot + "/cosigned", { size: head.size, root: head.root });
  await post(witness.cosign_url, {
    officer_id: officer.officer_id, size: head.size, time: head.time, signature: b64e(new Uint8Array(signature)),
  }, data.csrf_token);
  window.location.reload();
}

// Shows the action's button (its container is what is hidden) and runs the task on a click. A
// box marked data-clerk-confirm in the container must be ticked first; the task is told so.
function offer(action, task) {
  const container = document.querySelector(`[data-clerk-action="${action}"]`);
  if (!container) return;
  container.hidden = false;
  const button = container.querySelector("button");
  const box = container.querySelector("input[data-clerk-confirm]");
  button.addEventListener("click", async () => {
    if (box && !box.checked) {
      box.reportValidity();
      return;
    }
    button.disabled = true;
    showWorking(true);
    try {
      await task(box ? { confirmed: true } : {});
    } catch (error) {
      showWorking(false);
      showError(error.message);
      button.disabled = false;
    }
  });
}

async function start() {
  const source = document.getElementById("clerk-data");
  if (!source) return;
  const data = JSON.parse(source.textContent);
  if (!(await supportsEd25519())) {
    show("unsupported");
    return;
  }
  const slot = data.election + "/" + data.user;
  const record = await load(slot);
  const officer = record && data.keys.find((key) => key.public_key === record.publicKey);
  if (officer) {
    show("registered");
    document.querySelectorAll("[data-clerk-officer-id]").forEach((element) => {
      element.textContent = officer.officer_id;
    });
    document.querySelectorAll("input[data-clerk-officer]").forEach((input) => {
      input.value = officer.officer_id;
    });
  } else {
    show(record ? "unregistered" : "none");
  }
  if (data.register_url && !officer) offer("register", () => register(data, slot));
  if (data.sign && officer) offer("sign", (ticked) => sign(data, record, officer, ticked));
  if (data.cosign && officer) offer("cosign", () => cosign(data, record, officer, slot));
}

start().catch((error) => showError(error.message));
