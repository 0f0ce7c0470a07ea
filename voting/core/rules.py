"""Counting under Civil Code art. 278, exactly as spec §2.5 of gongzhi-record/1.

Weights are ``{"area": int, "heads": int}`` (area in 0.01 m²). Every threshold is compared by
cross-multiplying integers: 以上 includes the boundary (Civil Code art. 1259), 过半数 is strictly
more than half.
"""

CHOICES = ("yes", "no", "abstain")


def quorate(participation: dict, totals: dict) -> bool:
    """Art. 278 para. 2: owners with ≥ 2/3 of the area and ≥ 2/3 of the heads take part."""
    return (
        3 * participation["area"] >= 2 * totals["area"]
        and 3 * participation["heads"] >= 2 * totals["heads"]
    )


def ordinary_passes(yes: dict, participation: dict) -> bool:
    """Art. 278 para. 2, items other than 6–8: yes from more than half of the participating
    area and more than half of the participating heads."""
    return 2 * yes["area"] > participation["area"] and 2 * yes["heads"] > participation["heads"]


def major_passes(yes: dict, participation: dict) -> bool:
    """Art. 278 para. 2, items 6–8: yes from ≥ 3/4 of the participating area and ≥ 3/4 of the
    participating heads."""
    return (
        4 * yes["area"] >= 3 * participation["area"]
        and 4 * yes["heads"] >= 3 * participation["heads"]
    )


def counted_ballots(election: dict, log: list) -> dict:
    """voter_id -> the ballot that counts: the first (revote "first") or last ("last") entry."""
    keep_first = election["revote"] == "first"
    counted = {}
    for entry in log:
        ballot = entry["ballot"]
        if not (keep_first and ballot["voter_id"] in counted):
            counted[ballot["voter_id"]] = ballot
    return counted


def tally(election: dict, roll: dict, log: list) -> dict:
    """The ``tally`` of spec §2.5 for a log whose ballots are already known to be valid."""
    weights = {voter["voter_id"]: (voter["area"], voter["heads"]) for voter in roll["voters"]}
    totals = {"area": roll["total_area"], "heads": roll["total_heads"]}
    ballots = counted_ballots(election, log)
    participation = _weight_of(weights[voter_id] for voter_id in ballots)
    is_quorate = quorate(participation, totals)
    sums = _sums(election["motions"], ballots, weights)
    motions = []
    for motion in election["motions"]:
        count = _committee if motion["kind"] == "committee" else _question
        motions.append(count(motion, sums[motion["motion_id"]], participation, is_quorate))
    return {"counted": len(ballots), "motions": motions}


def _question(motion, sums, participation, is_quorate) -> dict:
    """An ordinary or major motion; a motion missing from a ballot is an abstention."""
    # Every counted ballot is yes, no or abstain on the motion, whether it names it or not.
    sums["abstain"] = {
        measure: participation[measure] - sums["yes"][measure] - sums["no"][measure]
        for measure in ("area", "heads")
    }
    passes = ordinary_passes if motion["kind"] == "ordinary" else major_passes
    if not is_quorate:
        result = "not_quorate"
    else:
        result = "passed" if passes(sums["yes"], participation) else "failed"
    return {
        "motion_id": motion["motion_id"],
        "kind": motion["kind"],
        "participation": dict(participation),
        **sums,
        "quorate": is_quorate,
        "result": result,
    }


def _committee(motion, support, participation, is_quorate) -> dict:
    """Approval voting for the owners' committee; seats go by heads, then area."""
    candidates = [
        {
            "candidate_id": candidate_id,
            **weight,
            "approved": is_quorate and ordinary_passes(weight, participation),
        }
        for candidate_id, weight in support.items()
    ]
    elected, tied = elect(candidates, motion["seats"])
    unfilled = motion["seats"] - len(elected)
    if not is_quorate:
        result = "not_quorate"
    else:
        result = "incomplete" if unfilled else "complete"
    return {
        "motion_id": motion["motion_id"],
        "kind": "committee",
        "participation": dict(participation),
        "quorate": is_quorate,
        "candidates": candidates,
        "elected": elected,
        "tied": tied,
        "unfilled": unfilled,
        "result": result,
    }


def elect(candidates: list[dict], seats: int) -> tuple[list[str], list[str]]:
    """(elected, tied) ids from ``{"candidate_id", "area", "heads", "approved"}`` entries.

    Approved candidates rank by heads, then area, descending (equal ones keep the election's
    order). When the last seat and the next candidate weigh the same, everyone approved with
    that weight is tied and none of them is elected: the seat goes to a by-election (补选).
    """
    ranked = sorted(
        (candidate for candidate in candidates if candidate["approved"]),
        key=_standing,
        reverse=True,  # sorted() stays stable when reversed
    )
    if len(ranked) > seats and _standing(ranked[seats - 1]) == _standing(ranked[seats]):
        edge = _standing(ranked[seats])
        tied = [candidate["candidate_id"] for candidate in ranked if _standing(candidate) == edge]
        elected = [
            candidate["candidate_id"]
            for candidate in ranked[:seats]
            if _standing(candidate) != edge
        ]
        return elected, tied
    return [candidate["candidate_id"] for candidate in ranked[:seats]], []


def _standing(candidate: dict) -> tuple[int, int]:
    return candidate["heads"], candidate["area"]


def _sums(motions: list, ballots: dict, weights: dict) -> dict:
    """motion_id -> option -> the weight of the voters whose ballots name that option: yes, no
    and abstain for a question, each candidate (in the election's order) for a committee.

    One pass over the ballots for all motions, since a recount of a large log is spent here.
    """
    totals = {
        motion["motion_id"]: {
            option: [0, 0]
            for option in (
                [candidate["candidate_id"] for candidate in motion["candidates"]]
                if motion["kind"] == "committee"
                else CHOICES
            )
        }
        for motion in motions
    }
    for voter_id, ballot in ballots.items():
        area, heads = weights[voter_id]
        for motion_id, choice in ballot["choices"].items():
            options = totals[motion_id]
            for option in (choice,) if type(choice) is str else choice:
                total = options[option]
                total[0] += area
                total[1] += heads
    return {
        motion_id: {
            option: {"area": area, "heads": heads} for option, (area, heads) in options.items()
        }
        for motion_id, options in totals.items()
    }


def _weight_of(voter_weights) -> dict:
    """Sum of (area, heads) pairs as a weight."""
    area = heads = 0
    for voter_area, voter_heads in voter_weights:
        area += voter_area
        heads += voter_heads
    return {"area": area, "heads": heads}
