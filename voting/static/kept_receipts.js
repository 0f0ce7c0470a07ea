// The receipts the ballot page kept on this phone for a vote (localStorage, under the key the
// server names: vote.operations.receipt_storage_key), oldest first; none where storage is
// unreadable.
export function keptReceipts(storageKey) {
  try {
    return JSON.parse(localStorage.getItem(storageKey) || "[]");
  } catch {
    return [];
  }
}
