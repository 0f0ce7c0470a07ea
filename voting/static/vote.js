// The owner's ballot page: signs in with the notice's key, shows one motion per screen, reads the
// choices back, signs the ballot and keeps the receipt (as a file and as a picture).

import { keepReceipt } from "./kept_receipts.js";
import { readableTime } from "./readable_time.js";
import { decodeSeed, missingCrypto, signerFor } from "./signing.js";
import { b64e, signedMessage, signedText } from "./verify/canonical.js";

// Outside the record's three purposes, so proving possession can never sign a ballot.
const POSSESSION_PURPOSE = "possession";
const NONCE_BYTES = 16;

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
    if (!seed) {
      forgetSecret();
      return this.fail(this.text.damaged_code, "step-no-secret");
    }
    const missing = missingCrypto();
    if (missing) {
      forgetSecret();
      return this.show(missing === "insecure" ? "step-insecure" : "step-unsupported");
    }
    try {
      this.signer = await signerFor(seed);
    } catch {
      // The secret stays in the address bar, so that "open in browser" hands it to another one.
      return this.show("step-unsupported");
    }
    document.documentElement.dataset.signer = this.signer.engine;
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
    const signature = await this.signer.sign(signedText(POSSESSION_PURPOSE, challenge));
    return { public_key: this.signer.publicKey, challenge, signature };
  }

  // Prove to the server that this phone holds the notice's key; learn whom it votes for.
  async signIn(idLast4) {
    const request = await this.possessionProof();
    if (idLast4 !== undefined) request.id_last4 = idLast4;
    this.session = await this.post(this.data.urls.session, request);
    forgetSecret();
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
    if (!this.keepOwnMotions()) {
      document.getElementById("no-motions").hidden = false;
      return this.show("step-voter");
    }
    document.getElementById("voted-replace").hidden = !alreadyVoted;
    this.show("step-voter", "ballot");
    this.bindBallot();
    this.showMotion(0);
  }

  // A motion decided by the owners of some buildings, stairwells or units only is on the ballots
  // of those owners alone: keep the motions the server says this voter decides, numbered among
  // themselves. Returns how many are left.
  keepOwnMotions() {
    const own = new Set(this.session.motions);
    const form = document.getElementById("ballot");
    for (const fieldset of form.querySelectorAll("fieldset.motion")) {
      if (!own.has(fieldset.dataset.motionId)) fieldset.remove();
    }
    const kept = [...form.querySelectorAll("fieldset.motion")];
    kept.forEach((fieldset, index) => {
      fieldset.querySelector(".motion-count").textContent = this.text.motion_of
        .replace("{number}", index + 1).replace("{total}", kept.length);
      const back = fieldset.querySelector('[data-go="back"]');
      if (index === 0 && back) back.remove();
      if (index === kept.length - 1) fieldset.querySelector('[data-go="next"]').textContent = this.text.review;
    });
    return kept.length;
  }

  // After the count, where the assembly so decided: the server's table of how each unit voted
  // (its own escaped HTML), for the holder of a valid notice only.
  async showUnitChoices() {
    const { html } = await this.post(this.data.urls.units, await this.possessionProof());
    forgetSecret();
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
    if (direction.startsWith("motion-")) return this.showMotion(Number(direction.slice("motion-".length)));
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
      const kind = fieldset.dataset.kind;
      if (kind === "committee") choices[fieldset.dataset.motionId] = checked.map((input) => input.value);
      else if (kind === "choice") choices[fieldset.dataset.motionId] = optionChoice(checked[0]);
      else choices[fieldset.dataset.motionId] = checked[0].value;
    }
    return choices;
  }

  // Read every motion back in full: its number, kind and title, and the choice in words, each
  // with a way back to change it.
  buildReview() {
    const list = document.getElementById("review-list");
    list.textContent = "";
    this.form.querySelectorAll("fieldset.motion").forEach((fieldset, index) => {
      const names = [...fieldset.querySelectorAll("input:checked")].map((input) => input.nextElementSibling.textContent);
      const item = document.createElement("li");
      const heading = document.createElement("div");
      heading.className = "review-motion";
      heading.textContent = [".motion-count", ".motion-kind"]
        .map((selector) => fieldset.querySelector(selector).textContent).join(" · ");
      const title = document.createElement("strong");
      title.textContent = fieldset.querySelector(".motion-title").textContent;
      const label = document.createElement("div");
      label.className = "review-label";
      label.textContent = this.text.your_choice;
      const choice = document.createElement("div");
      choice.className = "review-choice";
      choice.textContent = names.join("、") || this.text.no_candidate;
      item.append(heading, title, label, choice);
      if (fieldset.dataset.kind === "committee") {
        const count = document.createElement("div");
        count.className = "review-count";
        count.textContent = this.text.chosen_of_seats
          .replace("{chosen}", names.length).replace("{seats}", fieldset.dataset.seats);
        item.append(count);
      }
      const change = document.createElement("button");
      change.type = "button";
      change.className = "secondary review-change";
      change.dataset.go = "motion-" + index;
      change.textContent = this.text.change;
      item.append(change);
      list.append(item);
    });
  }

  async submit() {
    const ballot = {
      election_hash: this.data.election_hash,
      voter_id: this.session.voter_id,
      channel: "online",
      nonce: b64e(crypto.getRandomValues(new Uint8Array(NONCE_BYTES))),
      choices: this.choices(),
    };
    const signature = await this.signer.sign(signedMessage("ballot", ballot));
    const request = { ballot, signature };
    if (this.idLast4 !== undefined) request.id_last4 = this.idLast4;
    const receipt = await this.post(this.data.urls.cast, request);
    const units = this.session.units.join("、") || this.session.voter_id;
    keepReceipt(this.data.receipt_storage_key, receipt, units);
    this.showReceipt(receipt, units);
  }

  showReceipt(receipt, units) {
    const section = document.getElementById("step-receipt");
    const slot = (name) => section.querySelector(`[data-slot="${name}"]`);
    const loggedAt = this.text.beijing_time.replace("{moment}", readableTime(receipt.logged_at));
    slot("units").textContent = units;
    slot("logged_at").textContent = loggedAt;
    slot("seq").textContent = receipt.seq;
    slot("entry_hash").textContent = receipt.entry_hash;
    slot("size").textContent = receipt.checkpoint.size;
    slot("root").textContent = receipt.checkpoint.root;
    slot("inclusion_proof_row").hidden = receipt.inclusion_proof.length === 0;
    document.getElementById("receipt-replaces").hidden = !this.session.already_voted;
    slot("inclusion_proof").textContent = "";
    slot("inclusion_proof").append(...receipt.inclusion_proof.map((hash) => {
      const item = document.createElement("li");
      item.textContent = hash;
      return item;
    }));
    const json = JSON.stringify(receipt, null, 1);
    document.getElementById("receipt-json").value = json;
    const name = `receipt-${receipt.election_id}-${receipt.seq}`;
    const download = document.getElementById("receipt-download");
    download.href = URL.createObjectURL(new Blob([json], { type: "application/json" }));
    download.download = name + ".json";
    document.getElementById("receipt-copy").addEventListener("click", () => this.copy(json));
    this.show("step-receipt");
    this.drawReceipt(receipt, units, loggedAt, name + ".png");
  }

  // The receipt as a picture, for phones where a downloaded file is hard to find again (WeChat
  // keeps none): what an owner needs to recognise it, and the hashes that identify the entry.
  drawReceipt(receipt, units, loggedAt, fileName) {
    const width = 1080;
    const margin = 64;
    const canvas = document.createElement("canvas");
    const lines = [
      { text: this.text.picture_title, size: 60, bold: true },
      { text: this.data.election.title, size: 44, bold: true },
      { text: this.data.estate_name, size: 40 },
      { gap: 24 },
      { text: this.text.picture_units, size: 34, muted: true }, { text: units, size: 44, bold: true },
      { text: this.text.picture_logged, size: 34, muted: true }, { text: loggedAt, size: 44 },
      { text: this.text.picture_seq, size: 34, muted: true }, { text: String(receipt.seq), size: 44 },
      { gap: 24 },
      { text: this.text.picture_entry_hash, size: 30, muted: true }, { text: receipt.entry_hash, size: 32, mono: true },
      { text: this.text.picture_head.replace("{size}", receipt.checkpoint.size), size: 30, muted: true },
      { text: receipt.checkpoint.root, size: 32, mono: true },
      { gap: 24 },
      { text: this.text.picture_check, size: 30, muted: true },
      { text: new URL(this.data.urls.receipt, location.href).href, size: 32, mono: true },
    ];
    const context = canvas.getContext("2d");
    const fontOf = (line) => `${line.bold ? "bold " : ""}${line.size}px ${line.mono ? "monospace" : "sans-serif"}`;
    const wrapped = [];
    for (const line of lines) {
      if (line.gap) {
        wrapped.push(line);
        continue;
      }
      context.font = fontOf(line);
      for (const text of wrapText(context, line.text, width - 2 * margin)) wrapped.push({ ...line, text });
    }
    canvas.width = width;
    canvas.height = margin * 2 + wrapped.reduce((total, line) => total + (line.gap || line.size * 1.45), 0);
    context.fillStyle = "#ffffff";
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.textBaseline = "top";
    let y = margin;
    for (const line of wrapped) {
      if (line.gap) {
        y += line.gap;
        continue;
      }
      context.font = fontOf(line);
      context.fillStyle = line.muted ? "#555555" : "#111111";
      context.fillText(line.text, margin, y);
      y += line.size * 1.45;
    }
    const picture = canvas.toDataURL("image/png");
    const image = document.getElementById("receipt-picture");
    image.src = picture;
    image.alt = this.text.picture_alt;
    const download = document.getElementById("receipt-picture-download");
    download.href = picture;
    download.download = fileName;
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

  // The phone's routes of the JSON API (/api/v/…, voting/api/vote.py): no CSRF token, the
  // signatures are the proof; a refusal is JSON too, with the reason in "error".
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

// The lines a text breaks into at this width, character by character: Chinese text and hashes
// have no spaces to break at.
function wrapText(context, text, width) {
  const lines = [];
  let line = "";
  for (const character of text) {
    if (line && context.measureText(line + character).width > width) {
      lines.push(line);
      line = character === " " ? "" : character;
    } else {
      line += character;
    }
  }
  if (line) lines.push(line);
  return lines;
}

// The secret stays in the address bar until the server has seen this phone prove it holds it:
// until then, WeChat's "open in browser" must hand the whole link to the system browser. After
// that it goes, so that it does not linger in the history, a screenshot or a shared link.
// A choice motion's choice (spec v2 §5.1): a list of at most one option id; the radio button
// "none of these" has the value "" and gives [], an abstention.
function optionChoice(input) {
  return input.value ? [input.value] : [];
}

function forgetSecret() {
  if (location.hash) history.replaceState(null, "", location.pathname + location.search);
}

// vote_check.js, a classic script that every engine runs, reports a page where this never ran.
document.documentElement.dataset.voteScript = "started";
if (document.getElementById("vote-data") && document.documentElement.dataset.engine !== "too-old") {
  const secretText = location.hash.slice(1);
  new BallotPage(readJson("vote-data"), readJson("vote-text")).start(secretText);
  // Switching the language reloads this page, which then signs in again. The notice's secret
  // goes along as the fragment of the form's address: never sent, it is kept by the browser
  // through the server's redirect back here (RFC 9110 §10.2.2), also after it left the address bar.
  for (const languageForm of document.querySelectorAll('form[action*="/lang/"]')) {
    languageForm.addEventListener("submit", () => {
      if (secretText) languageForm.action = languageForm.action.split("#")[0] + "#" + secretText;
    });
  }
  // Another notice's code opened in this tab changes only the fragment: start afresh with it.
  window.addEventListener("hashchange", () => location.reload());
}
