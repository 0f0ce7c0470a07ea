// The receipt check page: offers the receipts the ballot page kept on this phone or a saved
// receipt file, checks without reloading, and names the units this phone voted for. Without
// this script the form posts to the server and shows the same finding, without the units.

import { keptUnits, offerLastReceipt } from "./kept_receipts.js";

const data = JSON.parse(document.getElementById("receipt-data").textContent);
const form = document.getElementById("receipt-form");
const textarea = form.querySelector("textarea");
const result = document.getElementById("receipt-result");

// The server never says which units a receipt is for (anyone can build a receipt from the
// published record); the phone that voted kept them beside the receipt.
function showUnits() {
  const finding = document.getElementById("receipt-ok");
  const units = finding && keptUnits(data.receipt_storage_key, finding.dataset.entryHash);
  if (!units) return;
  finding.querySelector('[data-slot="units"]').textContent = units;
  finding.querySelector('[data-slot="units-row"]').hidden = false;
}

offerLastReceipt(data.receipt_storage_key, document.getElementById("receipt-load"), textarea);

const fileRow = document.getElementById("receipt-file-row");
const file = document.getElementById("receipt-file");
fileRow.hidden = false;
file.addEventListener("change", async () => {
  if (file.files.length) textarea.value = await file.files[0].text();
});

showUnits();

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  let answer;
  try {
    const response = await fetch(data.check_url, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: textarea.value,
    });
    answer = await response.json();
  } catch {
    form.submit(); // the server-side check renders the same result
    return;
  }
  if (answer.html === undefined) {
    form.submit(); // refused before the check (too large, too many): the page says why
    return;
  }
  result.innerHTML = answer.html; // rendered by the server from vote/_receipt_result.html
  showUnits();
  result.scrollIntoView({ block: "start" });
});
