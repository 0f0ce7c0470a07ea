// The receipts the ballot page kept on this phone for a vote (localStorage, under the key the
// server names: vote.operations.receipt_storage_key), oldest first; none where storage is
// unreadable.
function keptReceipts(storageKey) {
  try {
    return JSON.parse(localStorage.getItem(storageKey) || "[]");
  } catch {
    return [];
  }
}

// Where the phone kept receipts for this vote, the button shows and puts the latest in the box.
export function offerLastReceipt(storageKey, button, textarea) {
  const kept = keptReceipts(storageKey);
  if (!kept.length) return;
  button.hidden = false;
  button.addEventListener("click", () => { textarea.value = JSON.stringify(kept[kept.length - 1], null, 1); });
}
