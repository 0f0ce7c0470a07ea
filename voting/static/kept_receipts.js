// The receipts the ballot page kept on this phone for a vote (localStorage, under the key the
// server names: vote.operations.receipt_storage_key), oldest first; none where storage is
// unreadable.
function keptReceipts(storageKey) {
  return readStored(storageKey, []);
}

function readStored(key, empty) {
  try {
    return JSON.parse(localStorage.getItem(key) || "null") ?? empty;
  } catch {
    return empty;
  }
}

// Beside the receipts, the units each was cast for, by entry hash: the receipt itself does not
// name them, and the server tells nobody which units a receipt is for.
const unitsKey = (storageKey) => `${storageKey}:units`;

// Keep a receipt just given, and the units it was cast for. Private browsing may refuse storage.
export function keepReceipt(storageKey, receipt, units) {
  try {
    localStorage.setItem(storageKey, JSON.stringify([...keptReceipts(storageKey), receipt]));
    const kept = readStored(unitsKey(storageKey), {});
    kept[receipt.entry_hash] = units;
    localStorage.setItem(unitsKey(storageKey), JSON.stringify(kept));
  } catch {
    // the receipt is still offered for download on the ballot page
  }
}

// The units this phone voted for with the ballot of this entry hash, or undefined.
export function keptUnits(storageKey, entryHash) {
  const kept = readStored(unitsKey(storageKey), {});
  return typeof kept[entryHash] === "string" ? kept[entryHash] : undefined;
}

// Where the phone kept receipts for this vote, the button shows and puts the latest in the box.
export function offerLastReceipt(storageKey, button, textarea) {
  const kept = keptReceipts(storageKey);
  if (!kept.length) return;
  button.hidden = false;
  button.addEventListener("click", () => { textarea.value = JSON.stringify(kept[kept.length - 1], null, 1); });
}
