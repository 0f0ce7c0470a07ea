"""verify(workers > 1) checks the log in chunks, one per worker task; faults that span chunks
must be named exactly as the one-process reading names them."""

import pytest

from simulation.records import OPENS_AT, RecordKit, question, voters
from voting.core import record
from voting.core.record import RecordInvalid


def fault(document, workers):
    with pytest.raises(RecordInvalid) as raised:
        record.verify(document, workers)
    return str(raised.value)


def twelve_ballots(revote="last"):
    kit = RecordKit(voters(12), [question("a")], revote)
    for number in range(12):
        kit.online(f"v{number:04d}", {"a": "yes"})
    return kit


@pytest.mark.parametrize("workers", [2, 3])
def test_faults_across_chunks_are_named_as_one_process_names_them(workers):
    # 12 entries and 2 or 3 workers: chunks of 2 entries, so entry 0 and entry 9 sit in different chunks.
    kit = twelve_ballots()
    kit.log[9]["ballot"]["nonce"] = kit.log[0]["ballot"]["nonce"]
    kit.log[9]["ballot"]["voter_id"] = kit.log[0]["ballot"]["voter_id"]
    document = kit.record()
    assert fault(document, workers) == fault(document, 1) == 'entry 9: nonce already used by voter "v0000"'

    kit = twelve_ballots()
    kit.log[8]["received_at"] = OPENS_AT  # before entry 7, which ends the chunk before
    assert fault(kit.record(), workers) == "entry 8: received before entry 7"

    kit = twelve_ballots("first")
    kit.online("v0003", {"a": "no"})
    assert fault(kit.record(), workers) == 'entry 12: second ballot of voter "v0003" although revote is "first"'

    kit = twelve_ballots()
    kit.log[10]["ballot"]["choices"]["a"] = "no"  # breaks its signature...
    kit.log[11]["seq"] = 3  # ...and a later chunk fails on something else: the earlier fault wins
    assert fault(kit.record(), workers) == "entry 10: bad signature"
