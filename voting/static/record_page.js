// The public record page: downloads the published record, verifies it here with the spec's
// checks (verify/record.js), puts the recount beside the result the server published, and
// checks an owner's receipt against the record. Strings come from the template, translated.

import { RecordInvalid, checkReceipt, verifyRecord } from "./verify/record.js";
import { canon } from "./verify/canonical.js";
import { offerLastReceipt } from "./kept_receipts.js";
import { readableTime } from "./readable_time.js";

const data = JSON.parse(document.getElementById("record-data").textContent);
const text = JSON.parse(document.getElementById("record-text").textContent);
const progress = document.getElementById("record-progress");
const progressText = document.getElementById("record-progress-text");

function fill(template, values) {
  return template.replace(/%\((\w+)\)s/g, (whole, name) => String(values[name]));
}

function show(id, message, tone) {
  const element = document.getElementById(id);
  element.hidden = false;
  element.textContent = message;
  if (tone) element.className = "flash " + tone;
  return element;
}

function explain(fault) {
  return text.checks[fault.check] || fault.fault;
}

function formatArea(hundredths) {
  const whole = Math.floor(Math.abs(hundredths) / 100);
  const cents = Math.abs(hundredths) % 100;
  return (hundredths < 0 ? "-" : "") + whole + "." + (cents < 10 ? "0" : "") + cents;
}

// The value at a path like "motions.2.candidates.1.area" of a tally.
function valueAt(tally, path) {
  const step = (value, key) => (value === undefined || value === null ? undefined : value[key]);
  return path.split(".").reduce(step, tally);
}

function formatted(row, value) {
  const format = row.dataset.format;
  if (value === undefined) return "—";
  if (format === "area") return formatArea(value);
  if (format === "result") return text.results[value] || String(value);
  if (format === "option") { // a choice's adopted option (spec v2 §7.3), or null
    const motion = Number(row.dataset.path.split(".")[1]);
    return value === null ? text.no_option : data.candidate_names[motion][value] || value;
  }
  if (format === "names") {
    const motion = Number(row.dataset.path.split(".")[1]);
    const names = value.map((id) => data.candidate_names[motion][id] || id);
    return names.length ? names.join("、") : text.nobody;
  }
  return String(value);
}

// Each figure of the published result with the recount's beside it; rows that differ are marked.
function compare(recount) {
  let differing = 0;
  for (const row of document.querySelectorAll("tr[data-path]")) {
    const value = valueAt(recount, row.dataset.path);
    const same = value !== undefined && canon(value) === canon(JSON.parse(row.dataset.published));
    row.querySelector(".recount").textContent = formatted(row, value) + (same ? "" : " · " + text.differs);
    row.classList.toggle("mismatch", !same);
    if (!same) differing++;
  }
  const agree = differing === 0 && canon(recount) === canon(data.official);
  show("record-agreement", agree ? text.agree : text.disagree, agree ? "success" : "error");
}

function onProgress(step) {
  if (step.phase === "log") {
    progress.max = Math.max(step.total, 1);
    progress.value = step.done;
    progressText.textContent = fill(text.checking, { done: step.done, total: step.total });
    if (step.done === step.total) progressText.textContent = text.heads;
  }
}

let verified = null;

async function checkRecord() {
  progress.hidden = false;
  progressText.textContent = text.downloading;
  let bytes;
  try {
    const response = await fetch(data.record_url);
    if (!response.ok) throw new Error(String(response.status));
    bytes = new Uint8Array(await response.arrayBuffer());
  } catch (error) {
    progressText.textContent = text.download_failed;
    return;
  }
  const started = performance.now();
  try {
    verified = await verifyRecord(bytes, { onProgress });
  } catch (error) {
    if (!(error instanceof RecordInvalid)) throw error;
    progress.hidden = true;
    progressText.hidden = true;
    show("record-verdict", fill(text.invalid, { check: error.check, explanation: explain(error) }), "error")
      .dataset.check = error.check;
    document.getElementById("record-fault").hidden = false;
    document.querySelector("#record-fault code").textContent = error.message;
    show("record-agreement", text.no_recount, "error");
    return;
  }
  progress.hidden = true;
  progressText.textContent = fill(text.seconds, { seconds: ((performance.now() - started) / 1000).toFixed(1) });
  show("record-verdict", text.valid, "success").dataset.check = "valid";
  show("record-engine", text["engine_" + verified.engine]);
  compare(verified.tally);
  document.getElementById("receipt-check").disabled = false;
}

// --- the owner's receipt ------------------------------------------------------------------------

const receiptText = document.getElementById("receipt-text");
const receiptFile = document.getElementById("receipt-file");

function describe(finding) {
  if (finding.status === "counted") return fill(text.receipt_counted, { seq: finding.seq });
  const by = finding.replaced_by;
  const channel = by.channel === "paper" ? fill(text.receipt_paper, {
    desk_receipt: by.desk_receipt, handin_seq: by.handin_seq, clerks: by.clerks.join("、"),
    identity: by.identity_checked ? text.identity_checked : text.identity_not_checked,
  }) : text.online;
  return fill(text.receipt_replaced, { seq: finding.seq, other: by.seq, cast_at: readableTime(by.cast_at), channel });
}

offerLastReceipt(data.receipt_storage_key, document.getElementById("receipt-kept"), receiptText);

receiptFile.addEventListener("change", async () => {
  if (receiptFile.files.length) receiptText.value = await receiptFile.files[0].text();
});

document.getElementById("receipt-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  if (verified === null) {
    show("receipt-result", text.receipt_wait, "error");
    return;
  }
  if (!receiptText.value.trim()) {
    show("receipt-result", text.receipt_empty, "error");
    return;
  }
  try {
    const finding = await checkReceipt(verified, receiptText.value);
    show("receipt-result", describe(finding), "success").dataset.finding = canon(finding);
  } catch (error) {
    if (!(error instanceof RecordInvalid)) throw error;
    show("receipt-result", fill(text.receipt_invalid, { check: error.check, explanation: explain(error) }), "error")
      .dataset.finding = canon({ receipt: "invalid", check: error.check });
  }
});

checkRecord();
