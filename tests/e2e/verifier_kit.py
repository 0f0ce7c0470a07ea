"""Runs voting/static/verify/record.js, the browser's record verifier, in a Chromium page.

The page must be on a server that serves /static/ (the live server, or the benchmark's). Bytes
go in as base64, and each verdict comes back as JSON: ``{"valid": true, "tally", "engine"}`` or
``{"valid": false, "check"}``, and for a receipt or a held checkpoint the finding of spec §10,
or ``{"receipt": "invalid", "check"}`` / ``{"checkpoint": "invalid", "check"}``.
"""

import base64

VERIFY_IN_PAGE = """async ([cases, sliceEntries]) => {
    const { verifyRecord, checkReceipt, checkHeldCheckpoint, RecordInvalid } = await import("/static/verify/record.js");
    const { canon } = await import("/static/verify/canonical.js");
    const bytes = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
    const verdicts = [];
    const findingOf = async (check, what) => {
        try {
            return JSON.parse(canon(await check()));
        } catch (error) {
            if (!(error instanceof RecordInvalid)) throw error;
            return { [what]: "invalid", check: error.check };
        }
    };
    for (const [record, receipts, notes] of cases) {
        let verified;
        try {
            verified = await verifyRecord(bytes(record), { sliceEntries });
        } catch (error) {
            if (!(error instanceof RecordInvalid)) throw error;
            verdicts.push({ record: { valid: false, check: error.check, reason: error.message } });
            continue;
        }
        const receiptFindings = [];
        for (const receipt of receipts) {
            receiptFindings.push(await findingOf(() => checkReceipt(verified, bytes(receipt)), "receipt"));
        }
        const noteFindings = [];
        for (const note of notes) {
            noteFindings.push(await findingOf(() => checkHeldCheckpoint(verified, bytes(note)), "checkpoint"));
        }
        verdicts.push({ record: { valid: true, tally: JSON.parse(canon(verified.tally)), engine: verified.engine },
                        receipts: receiptFindings, held: noteFindings });
    }
    return verdicts;
}"""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def verify_in_browser(
    page, records: list[bytes], receipts: list[bytes] = (), held: list[bytes] = (), slice_entries: int | None = None
) -> list[dict]:
    """Each record through record.js in ``page``, in one evaluation, and the receipts and held
    checkpoints (C2SP notes) against each that passes; ``slice_entries`` log entries between the
    verifier's returns to the page (its default if None)."""
    cases = [
        [_b64(record), [_b64(receipt) for receipt in receipts], [_b64(note) for note in held]] for record in records
    ]
    return page.evaluate(VERIFY_IN_PAGE, [cases, slice_entries])
