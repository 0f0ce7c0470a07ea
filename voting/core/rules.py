"""Counting under Civil Code art. 278, exactly as spec §2.5 of gongzhi-record/1 and §7 of
gongzhi-record/2 (the thresholds and the committee ranking are the same in both).

Weights are ``{"area": int, "heads": int}`` (area in 0.01 m²). Every threshold is compared by
cross-multiplying integers: 以上 includes the boundary (Civil Code art. 1259), 过半数 is strictly
more than half.
"""

from voting.core.canonical import parse_time

CHOICES = ("yes", "no", "abstain")


def quorate(participation: dict, totals: dict) -> bool:
    """Art. 278 para. 2: owners with ≥ 2/3 of the area and ≥ 2/3 of the heads take part."""
    return 3 * participation["area"] >= 2 * totals["area"] and 3 * participation["heads"] >= 2 * totals["heads"]


def ordinary_passes(yes: dict, participation: dict) -> bool:
    """Art. 278 para. 2, items other than 6–8: yes from more than half of the participating
    area and more than half of the participating heads."""
    return 2 * yes["area"] > participation["area"] and 2 * yes["heads"] > participation["heads"]


def major_passes(yes: dict, participation: dict) -> bool:
    """Art. 278 para. 2, items 6–8: yes from ≥ 3/4 of the participating area and ≥ 3/4 of the
    participating heads."""
    return 4 * yes["area"] >= 3 * participation["area"] and 4 * yes["heads"] >= 3 * participation["heads"]


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
        measure: participation[measure] - sums["yes"][measure] - sums["no"][measure] for measure in ("area", "heads")
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
        elected = [candidate["candidate_id"] for candidate in ranked[:seats] if _standing(candidate) != edge]
        return elected, tied
    return [candidate["candidate_id"] for candidate in ranked[:seats]], []


def _standing(candidate: dict) -> tuple[int, int]:
    return candidate["heads"], candidate["area"]


def _zero_sums(motions: list) -> dict:
    """motion_id -> option -> [area, heads] at zero: yes, no and abstain for a question, each
    candidate (in the election's order) for a committee, each option (in the motion's order) for
    a choice."""
    return {motion["motion_id"]: {option: [0, 0] for option in _counted_options(motion)} for motion in motions}


def _counted_options(motion: dict):
    """What a ballot's choice on the motion can name."""
    if motion["kind"] == "committee":
        return [candidate["candidate_id"] for candidate in motion["candidates"]]
    if motion["kind"] == "choice":
        return [option["option_id"] for option in motion["options"]]
    return CHOICES


def _sums(motions: list, ballots: dict, weights: dict) -> dict:
    """motion_id -> option -> the weight of the voters whose ballots name that option: yes, no
    and abstain for a question, each candidate (in the election's order) for a committee.

    One pass over the ballots for all motions, since a recount of a large log is spent here.
    """
    totals = _zero_sums(motions)
    for voter_id, ballot in ballots.items():
        area, heads = weights[voter_id]
        for motion_id, choice in ballot["choices"].items():
            options = totals[motion_id]
            for option in (choice,) if type(choice) is str else choice:
                total = options[option]
                total[0] += area
                total[1] += heads
    return {
        motion_id: {option: {"area": area, "heads": heads} for option, (area, heads) in options.items()}
        for motion_id, options in totals.items()
    }


def _weight_of(voter_weights) -> dict:
    """Sum of (area, heads) pairs as a weight."""
    area = heads = 0
    for voter_area, voter_heads in voter_weights:
        area += voter_area
        heads += voter_heads
    return {"area": area, "heads": heads}


# --- format 2 (spec v2 §7): art. 278 items, scopes, invalid marks, cast times ------------------

MAJOR_ITEMS = frozenset({6, 7, 8})  # raising the fund, rebuilding, changing the use of common parts
INVALID_RULES = ("took_part", "not_counted")

# The estate's rules profile as each vote records it (spec v2 §3 `rules`), at its national defaults.
NATIONAL_RULES = {
    "invalid_ballot": "took_part",  # took part, did not agree
    "notice_days": 15,  # the meeting notice, before voting (指导规则 art. 12)
    "roll_publication_days": 15,  # the roll on the board, before voting (指导规则 art. 12)
    "max_extension_days": 90,  # voting extended when turnout falls short: up to 3 months
    "committee_min_members": 5,  # an odd number of 5–11 (指导规则 art. 31)
    "committee_max_members": 11,
    "group_min_members": None,  # the preparation group: any odd number (Zhejiang practice 5–11)
    "group_max_members": None,
    "group_min_owner_percent": 50,  # owner representatives at least half
}
# Who is one person on the roll (DOMAIN.md "Who votes"), recorded beside the profile: whether a
# parking space's area counts (its owner is a person either way) and who is 「同一买受人」.
ROLL_RULES = {"parking_area": "counted", "buyers": "title"}
PARKING_AREA_RULES = ("counted", "left_out")
BUYERS_RULES = ("title", "person")  # voting.core.weights.Buyers
# Bounds every profile keeps: no rule of an estate shortens the national periods or leaves the
# committee's 5–11.
MIN_PERIOD_DAYS, MAX_PERIOD_DAYS = 15, 365
MAX_EXTENSION_DAYS = 90
MIN_COMMITTEE, MAX_COMMITTEE = 5, 11


def odd_within(size: int, low: int | None, high: int | None) -> bool:
    """Whether a group or committee of this size is an odd number within the bounds (None: open)."""
    return size % 2 == 1 and (low is None or size >= low) and (high is None or size <= high)


_PASSES = {"ordinary": ordinary_passes, "major": major_passes}


def threshold(item: int) -> str:
    """The threshold an art. 278 item requires: nobody chooses it apart from the item."""
    return "major" if item in MAJOR_ITEMS else "ordinary"


class CountedBallots:
    """The ballot that counts for each voter (spec v2 §7.1), fed every ballot in log order with
    its cast time.

    Under "first" the log holds one ballot per voter. Under "last" the latest cast time wins:
    a paper ballot was cast when it was handed in, however late it was keyed; of equal cast
    times the later entry wins.
    """

    def __init__(self, revote: str):
        self._keep_first = revote == "first"
        self._counted = {}  # voter_id -> (cast time, ballot)

    def add(self, voter_id: str, cast, ballot) -> tuple[bool, object]:
        """Whether ``ballot`` counts now, and the ballot it displaced (None where none)."""
        current = self._counted.get(voter_id)
        if current is None:
            self._counted[voter_id] = (cast, ballot)
            return True, None
        if not self._keep_first and cast >= current[0]:
            self._counted[voter_id] = (cast, ballot)
            return True, current[1]
        return False, None

    def ballots(self) -> dict:
        """voter_id -> the ballot, as given to ``add``, that counts."""
        return {voter_id: ballot for voter_id, (_cast, ballot) in self._counted.items()}


def counted_entries_v2(election: dict, log: list) -> dict:
    """voter_id -> the log entry of the ballot that counts (spec v2 §7.1)."""
    counting = CountedBallots(election["revote"])
    handed_in = {}  # seq -> the hand-in's logged_at as an instant
    for entry in log:
        kind = entry["kind"]
        if kind == "handin":
            handed_in[entry["seq"]] = parse_time(entry["logged_at"])
        elif kind == "ballot":
            body = entry["body"]
            if body["channel"] == "paper":
                cast = handed_in[body["handin"]]
            else:
                cast = parse_time(entry["logged_at"])
            counting.add(body["voter_id"], cast, entry)
    return counting.ballots()


def tally_v2(election: dict, roll: dict, log: list) -> dict:
    """The ``tally`` of spec v2 §7 for a log whose entries are already known to be valid."""
    return tally_of_counted(election, roll, counted_entries_v2(election, log))


def tally_of_counted(election: dict, roll: dict, counted: dict) -> dict:
    """The tally from counted_entries_v2, in one pass over the counted ballots for all motions."""
    weights = {voter["voter_id"]: voter["weights"] for voter in roll["voters"]}
    tally = Tally(election)
    for voter_id, counted_entry in counted.items():
        tally.add(weights[voter_id], counted_entry["body"])
    return tally.result(roll)


class Tally:
    """The tally of spec v2 §7 summed as the counted ballots become known: a verifier adds each
    ballot as it passes in the log, and takes back one that a later ballot displaced (a recount
    of a large log is spent here, while the signatures after it are still being checked)."""

    def __init__(self, election: dict):
        self._election = election
        motions = election["motions"]
        self._scope_of = {motion["motion_id"]: motion["scope"] for motion in motions}
        self._sums = _zero_sums(motions)
        self._scope_and_options = {
            motion_id: (scope, self._sums[motion_id]) for motion_id, scope in self._scope_of.items()
        }
        self._in_scope = {motion["scope"]: [0, 0] for motion in motions}  # the counted voters with a weight there
        self._invalid = {motion_id: [0, 0] for motion_id in self._scope_of}  # the weight of invalid marks
        self._counted = 0

    def add(self, voter_weights: dict, ballot: dict, sign: int = 1) -> None:
        """Count a ballot (its body) of a voter with these weights; sign -1 takes it back."""
        self._counted += sign
        for scope, total in self._in_scope.items():
            weight = voter_weights.get(scope)
            if weight is not None:
                total[0] += sign * weight["area"]
                total[1] += sign * weight["heads"]
        marks = ballot.get("invalid")
        for motion_id in marks or ():
            weight = voter_weights.get(self._scope_of.get(motion_id))
            if weight is not None:
                total = self._invalid[motion_id]
                total[0] += sign * weight["area"]
                total[1] += sign * weight["heads"]
        scope_and_options = self._scope_and_options
        for motion_id, choice in ballot["choices"].items():
            scope, options = scope_and_options[motion_id]
            weight = voter_weights.get(scope)
            if weight is None or (marks and motion_id in marks):
                continue  # outside the motion's scope, or marked invalid
            area, heads = sign * weight["area"], sign * weight["heads"]
            for option in (choice,) if type(choice) is str else choice:
                total = options[option]
                total[0] += area
                total[1] += heads

    def remove(self, voter_weights: dict, ballot: dict) -> None:
        self.add(voter_weights, ballot, -1)

    def result(self, roll: dict) -> dict:
        """The ``tally`` object, against the roll's totals."""
        not_counted = self._election["rules"]["invalid_ballot"] == "not_counted"
        entries = []
        for motion in self._election["motions"]:
            motion_id = motion["motion_id"]
            taking_part, marked = list(self._in_scope[motion["scope"]]), self._invalid[motion_id]
            if not_counted:  # whose ballot marks the motion invalid did not take part in it
                taking_part = [taking_part[0] - marked[0], taking_part[1] - marked[1]]
                marked = [0, 0]
            entries.append(
                _count_v2(motion, self._sums[motion_id], taking_part, marked, roll["totals"][motion["scope"]])
            )
        return {"counted": self._counted, "motions": entries}


def _count_v2(motion: dict, sums: dict, taking_part: list, invalid: list, totals: dict) -> dict:
    """A motion's tally entry from the weights (area, heads) of its options, of the voters taking
    part and of the invalid marks."""
    motion_id, scope, kind = motion["motion_id"], motion["scope"], motion["kind"]
    options = list(sums)
    participation = _weight_pair(taking_part)
    is_quorate = quorate(participation, totals)
    level = threshold(motion["item"])
    entry = {
        "motion_id": motion_id,
        "kind": kind,
        "item": motion["item"],
        "threshold": level,
        "scope": scope,
        "totals": dict(totals),
        "participation": participation,
    }
    if kind == "choice":
        return {**entry, **count_choice(sums, taking_part, invalid, is_quorate, level)}
    if kind == "committee":
        candidates = [
            {
                "candidate_id": candidate_id,
                **_weight_pair(sums[candidate_id]),
                "approved": is_quorate and ordinary_passes(_weight_pair(sums[candidate_id]), participation),
            }
            for candidate_id in options
        ]
        elected, tied = elect(candidates, motion["seats"])
        unfilled = motion["seats"] - len(elected)
        return {
            **entry,
            "invalid": _weight_pair(invalid),
            "quorate": is_quorate,
            "candidates": candidates,
            "elected": elected,
            "tied": tied,
            "unfilled": unfilled,
            "result": "not_quorate" if not is_quorate else "incomplete" if unfilled else "complete",
        }
    yes, no = _weight_pair(sums["yes"]), _weight_pair(sums["no"])
    abstain = {
        "area": taking_part[0] - yes["area"] - no["area"] - invalid[0],
        "heads": taking_part[1] - yes["heads"] - no["heads"] - invalid[1],
    }
    if not is_quorate:
        result = "not_quorate"
    else:
        result = "passed" if _PASSES[level](yes, participation) else "failed"
    return {
        **entry,
        "yes": yes,
        "no": no,
        "abstain": abstain,
        "invalid": _weight_pair(invalid),
        "quorate": is_quorate,
        "result": result,
    }


def count_choice(sums: dict, taking_part: list, invalid: list, is_quorate: bool, level: str) -> dict:
    """A choice motion's tally entry after its common keys (spec v2 §7.3): each option adopted
    iff quorate and its weight passes the item's threshold, as a question's yes would.

    At most one option passes: each voter names at most one, so the options' weights add up to
    at most the participation, and two options each over half of it (or each at 3/4 or more of
    a participation of one head or more, as a quorum ensures) would add up to more than it."""
    participation = _weight_pair(taking_part)
    passes = _PASSES[level]
    options = [
        {"option_id": option_id, **weight, "adopted": is_quorate and passes(weight, participation)}
        for option_id, weight in ((option_id, _weight_pair(pair)) for option_id, pair in sums.items())
    ]
    adopted = next((option["option_id"] for option in options if option["adopted"]), None)
    abstain = {
        measure: participation[measure] - sum(option[measure] for option in options) - invalid[index]
        for index, measure in enumerate(("area", "heads"))
    }
    if not is_quorate:
        result = "not_quorate"
    else:
        result = "none_adopted" if adopted is None else "adopted"
    return {
        "options": options,
        "abstain": abstain,
        "invalid": _weight_pair(invalid),
        "quorate": is_quorate,
        "adopted_option": adopted,
        "result": result,
    }


def _weight_pair(pair: list) -> dict:
    return {"area": pair[0], "heads": pair[1]}
