// The owner's ballot, signed on the phone with the credential from the voting notice's QR code.
// The secret stays in this page: the server sees only the public key and signatures
// (spec election-record-v2 §1: message = "gongzhi/2/" + purpose, 0x00, canon(body)).

const encoder = new TextEncoder();
// An Ed25519 private key as PKCS#8 is this DER header followed by the 32-byte seed (RFC 8410).
const PKCS8_ED25519_PREFIX = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
]);
// Outside the record's three purposes, so proving possession can never sign a ballot.
const POSSESSION_PURPOSE = "possession";
const NONCE_BYTES = 16;

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
function decodeSeed(text) {
  if (!/^[A-Za-z0-9_-]{43}$/.test(text)) return null;
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "=");
  return Uint8Array.from(binary, (character) => character.charCodeAt(0));
}

function concat(...parts) {
  const result = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    result.set(part, offset);
    offset += part.length;
  }
  return result;
}

function purposePrefix(purpose) {
  return concat(encoder.encode("gongzhi/2/" + purpose), [0]);
}

// The bytes a signature covers (spec §1): the purpose's prefix, then canon(body) as UTF-8.
export function signedMessage(purpose, body) {
  return concat(purposePrefix(purpose), encoder.encode(canon(body)));
}

export function ballotMessage(ballot) {
  return signedMessage("ballot", ballot);
}

// Throws where the browser has no WebCrypto Ed25519 (or no WebCrypto outside HTTPS).
export async function importSeed(seed) {
  return crypto.subtle.importKey("pkcs8", concat(PKCS8_ED25519_PREFIX, seed), { name: "Ed25519" }, true, ["sign"]);
}

export async function publicKeyOf(privateKey) {
  return (await crypto.subtle.exportKey("jwk", privateKey)).x;
}

async function sign(privateKey, message) {
  return b64encode(new Uint8Array(await crypto.subtle.sign({ name: "Ed25519" }, privateKey, message)));
}

function readJson(id) {
  return JSON.parse(document.getElementById(id).textContent);
}

class BallotPage {
  constructor(data, text) {
    this.data = data;
    this.text = text;
  }

  async start(secretText) {
    if (!secretText) return this.show("step-no-secret");
    const seed = decodeSeed(secretText);
    if (!seed) return this.fail(this.text.damaged_code, "step-no-secret");
    try {
      this.key = await importSeed(seed);
      this.publicKey = await publicKeyOf(this.key);
    } catch {
      return this.show("step-unsupported");
    }
    if (this.data.urls.units) {
      return this.busy(document.getElementById("step-start"), () => this.showUnitChoices(), { hideOnFailure: true });
    }
    if (this.data.require_id_last4) {
      const idForm = document.getElementById("step-id");
      idForm.addEventListener("submit", (event) => {
        event.preventDefault();
        this.busy(idForm, () => this.signIn(document.getElementById("id-last4").value.trim()));
      });
      return this.show("step-id");
    }
    return this.busy(document.getElementById("step-start"), () => this.signIn(), { hideOnFailure: true });
  }

  // The notice's key signs a fresh challenge from the server: proof that this phone holds it.
  async possessionProof() {
    const { challenge } = await this.post(this.data.urls.challenge, {});
    const signature = await sign(this.key, concat(purposePrefix(POSSESSION_PURPOSE), encoder.encode(challenge)));
    return { public_key: this.publicKey, challenge, signature };
  }

  // Prove to the server that this phone holds the notice's key; learn whom it votes for.
  async signIn(idLast4) {
    const request = await this.possessionProof();
    if (idLast4 !== undefined) request.id_last4 = idLast4;
    this.session = await this.post(this.data.urls.session, request);
    this.idLast4 = idLast4;
    this.showVoter();
  }

  showVoter() {
    const { units, area, already_voted: alreadyVoted, revote } = this.session;
    const voter = document.getElementById("step-voter");
    voter.querySelector('[data-slot="units"]').textContent = units.join("、") || this.session.voter_id;
    voter.querySelector('[data-slot="area"]').textContent = area;
    if (alreadyVoted && revote === "first") {
      document.getElementById("voted-counted").hidden = false;
      return this.show("step-voter");
    }
    document.getElementById("voted-replace").hidden = !alreadyVoted;
    this.show("step-voter", "ballot");
    this.bindBallot();
    this.showMotion(0);
  }

  // After the count, where the assembly so decided: the server's table of how each unit voted
  // (its own escaped HTML), for the holder of a valid notice only.
  async showUnitChoices() {
    const { html } = await this.post(this.data.urls.units, await this.possessionProof());
    document.getElementById("step-units").innerHTML = html;
    this.show("step-units");
  }

  bindBallot() {
    this.form = document.getElementById("ballot");
    this.steps = [...this.form.querySelectorAll("fieldset.motion"), document.getElementById("review")];
    this.form.addEventListener("click", (event) => {
      const go = event.target.closest("[data-go]");
      if (go) this.navigate(go.dataset.go);
    });
    this.form.addEventListener("change", (event) => this.changed(event.target));
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.busy(this.form, () => this.submit());
    });
  }

  navigate(direction) {
    if (direction === "back") return this.showMotion(this.current - 1);
    if (this.isComplete(this.steps[this.current])) {
      if (this.current === this.steps.length - 2) this.buildReview();
      this.showMotion(this.current + 1);
    }
  }

  showMotion(index) {
    this.current = index;
    this.steps.forEach((step, position) => { step.hidden = position !== index; });
    this.clearError();
    window.scrollTo(0, 0);
  }

  // Yes/no/abstain motions need an explicit choice; on paper a blank counts as abstaining,
  // online the owner says so.
  isComplete(fieldset) {
    if (fieldset.dataset.kind === "committee") return true;
    const chosen = fieldset.querySelector("input:checked") !== null;
    fieldset.querySelector('[data-error="choose-one"]').hidden = chosen;
    return chosen;
  }

  changed(input) {
    const fieldset = input.closest("fieldset.motion");
    if (fieldset.dataset.kind !== "committee") {
      fieldset.querySelector('[data-error="choose-one"]').hidden = true;
      return;
    }
    const tooMany = fieldset.querySelectorAll("input:checked").length > Number(fieldset.dataset.seats);
    if (tooMany) input.checked = false;
    fieldset.querySelector('[data-error="too-many"]').hidden = !tooMany;
  }

  choices() {
    const choices = {};
    for (const fieldset of this.form.querySelectorAll("fieldset.motion")) {
      const checked = [...fieldset.querySelectorAll("input:checked")];
      choices[fieldset.dataset.motionId] = fieldset.dataset.kind === "committee"
        ? checked.map((input) => input.value)
        : checked[0].value;
    }
    return choices;
  }

  buildReview() {
    const list = document.getElementById("review-list");
    list.replaceChildren();
    for (const fieldset of this.form.querySelectorAll("fieldset.motion")) {
      const names = [...fieldset.querySelectorAll("input:checked")].map((input) => input.nextElementSibling.textContent);
      const item = document.createElement("li");
      const title = document.createElement("strong");
      title.textContent = fieldset.querySelector(".motion-title").textContent;
      const choice = document.createElement("div");
      choice.className = "review-choice";
      choice.textContent = names.join("、") || this.text.no_candidate;
      item.append(title, choice);
      list.append(item);
    }
  }

  async submit() {
    const ballot = {
      election_hash: this.data.election_hash,
      voter_id: this.session.voter_id,
      channel: "online",
      nonce: b64encode(crypto.getRandomValues(new Uint8Array(NONCE_BYTES))),
      choices: this.choices(),
    };
    const signature = await sign(this.key, ballotMessage(ballot));
    const request = { ballot, signature };
    if (this.idLast4 !== undefined) request.id_last4 = this.idLast4;
    const receipt = await this.post(this.data.urls.cast, request);
    this.keepReceipt(receipt);
    this.showReceipt(receipt);
  }

  keepReceipt(receipt) {
    const storageKey = this.data.receipt_storage_key;
    try {
      const kept = JSON.parse(localStorage.getItem(storageKey) || "[]");
      kept.push(receipt);
      localStorage.setItem(storageKey, JSON.stringify(kept));
    } catch {
      // Private browsing may refuse storage; the receipt is still offered for download below.
    }
  }

  showReceipt(receipt) {
    const section = document.getElementById("step-receipt");
    const slot = (name) => section.querySelector(`[data-slot="${name}"]`);
    slot("seq").textContent = receipt.seq;
    slot("entry_hash").textContent = receipt.entry_hash;
    slot("size").textContent = receipt.checkpoint.size;
    slot("root").textContent = receipt.checkpoint.root;
    slot("logged_at").textContent = receipt.logged_at;
    slot("inclusion_proof").replaceChildren(...receipt.inclusion_proof.map((hash) => {
      const item = document.createElement("li");
      item.textContent = hash;
      return item;
    }));
    const json = JSON.stringify(receipt, null, 1);
    document.getElementById("receipt-json").value = json;
    const download = document.getElementById("receipt-download");
    download.href = URL.createObjectURL(new Blob([json], { type: "application/json" }));
    download.download = `receipt-${receipt.election_id}-${receipt.seq}.json`;
    document.getElementById("receipt-copy").addEventListener("click", () => this.copy(json));
    this.show("step-receipt");
  }

  async copy(json) {
    try {
      await navigator.clipboard.writeText(json);
    } catch {
      const area = document.getElementById("receipt-json");
      area.select();
      document.execCommand("copy");
    }
    document.getElementById("receipt-copied").hidden = false;
  }

  async post(url, body) {
    let response;
    try {
      response = await fetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
        credentials: "same-origin",
      });
    } catch {
      throw new Error(this.text.no_connection);
    }
    let answer;
    try {
      answer = await response.json();
    } catch {
      throw new Error(this.text.server_error);
    }
    if (!response.ok) throw new Error(answer.error || this.text.server_error);
    return answer;
  }

  // Run a request with the section's buttons disabled; a failure is shown and may be retried
  // unless the section is hidden (nothing to retry with).
  async busy(section, action, { hideOnFailure = false } = {}) {
    const buttons = [...section.querySelectorAll("button")];
    buttons.forEach((button) => { button.disabled = true; });
    this.clearError();
    try {
      await action();
    } catch (error) {
      this.fail(error.message);
      if (hideOnFailure) section.hidden = true;
    } finally {
      buttons.forEach((button) => { button.disabled = false; });
    }
  }

  show(...ids) {
    for (const section of document.querySelectorAll(".vote-step")) {
      section.hidden = !ids.includes(section.id);
    }
  }

  fail(message, ...ids) {
    const banner = document.getElementById("vote-error");
    banner.textContent = message;
    banner.hidden = false;
    if (ids.length) this.show(...ids);
    window.scrollTo(0, 0);
  }

  clearError() {
    document.getElementById("vote-error").hidden = true;
  }
}

// Take the secret out of the address bar before anything else, so that it does not linger in
// the history, a screenshot or a shared link.
if (document.getElementById("vote-data")) {
  const secretText = location.hash.slice(1);
  if (location.hash) history.replaceState(null, "", location.pathname + location.search);
  new BallotPage(readJson("vote-data"), readJson("vote-text")).start(secretText);
  // Another notice's code opened in this tab changes only the fragment: start afresh with it.
  window.addEventListener("hashchange", () => location.reload());
}
