// The receipt check page: offers the receipts the ballot page kept on this phone, and checks
// without reloading. Without this script the form posts to the server and works the same.

import { offerLastReceipt } from "./kept_receipts.js";

const data = JSON.parse(document.getElementById("receipt-data").textContent);
const form = document.getElementById("receipt-form");
const textarea = form.querySelector("textarea");

function showResult(answer) {
  const ok = document.getElementById("receipt-ok");
  const fail = document.getElementById("receipt-fail");
  document.getElementById("receipt-result").hidden = false;
  ok.hidden = !answer.ok;
  fail.hidden = answer.ok;
  if (!answer.ok) {
    fail.textContent = answer.error;
    return;
  }
  ok.querySelector('[data-slot="message"]').textContent = answer.message;
}

offerLastReceipt(data.receipt_storage_key, document.getElementById("receipt-load"), textarea);

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
  showResult(answer);
});
