"""Turnout while a vote runs, the canvass list of voters who have not voted, and the tally laid
out for reading.

Every decision comes from voting.core.rules: this module only measures and arranges. Turnout
reads who voted and through which channel from the log's columns, never a ballot's choices, so
nothing about how anyone voted can reach its page before the count.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from voting.ballots.log import log_entries
from voting.ballots.models import LogEntry
from voting.core import record_v2, rules
from voting.core.weights import DELIVERED, counts_area
from voting.elections.models import INVALID_REASON_NAMES, Election, ElectionVoter, State
from voting.elections.operations import units_by_voter
from voting.elections.scopes import frozen_weights, scope_titles
from voting.estates.models import Building, Unit
from voting.extensions import db
from voting.privacy import mask_name
from voting.roster.models import Owner, UnitOwner

MEASURES = ("area", "heads")
CHANNELS = ("online", "paper")
# A count that meets any fraction of any roll: it holds one measure of a two-measure rule met
# while the other measure is probed alone.
_AMPLE = 2**62
# rule name -> the function of voting.core.rules deciding it, as f(part, base).
RULES: dict[str, Callable[[dict, dict], bool]] = {
    "quorum": rules.quorate,
    "ordinary": rules.ordinary_passes,
    "major": rules.major_passes,
}


@dataclass(frozen=True)
class Weight:
    """Area (0.01 m²) and heads, as the rules count them."""

    area: int = 0
    heads: int = 0

    @classmethod
    def of(cls, weight: dict) -> Weight:
        return cls(weight["area"], weight["heads"])

    def __add__(self, other: Weight) -> Weight:
        return Weight(self.area + other.area, self.heads + other.heads)

    def as_rule(self) -> dict:
        return {"area": self.area, "heads": self.heads}


@dataclass(frozen=True)
class MeasureCheck:
    """One measure of a rule: the count, the base its fraction is taken of, the least count
    that meets the rule (None when no count up to the base does), and whether the count meets it."""

    measure: str
    value: int
    base: int
    least: int | None
    met: bool

    @property
    def shortfall(self) -> int:
        return 0 if self.met or self.least is None else self.least - self.value


@dataclass(frozen=True)
class RuleCheck:
    rule: str  # a key of RULES
    measures: tuple[MeasureCheck, ...]
    met: bool


def check_rule(rule: str, part: Weight, base: Weight) -> RuleCheck:
    """Whether ``part`` meets the rule over ``base``, measure by measure, with the line each
    measure must reach. The lines are found by asking the rule itself (it is monotone in the
    part), so the page can never draw a line the count does not use."""
    decide = RULES[rule]
    measures = []
    for measure in MEASURES:

        def meets(amount: int, measure=measure) -> bool:
            return decide({**dict.fromkeys(MEASURES, _AMPLE), measure: amount}, base.as_rule())

        value, limit = getattr(part, measure), getattr(base, measure)
        measures.append(MeasureCheck(measure, value, limit, _least(meets, limit), meets(value)))
    return RuleCheck(rule, tuple(measures), decide(part.as_rule(), base.as_rule()))


def _least(meets: Callable[[int], bool], limit: int) -> int | None:
    """The least amount in [0, limit] that meets a monotone test, by bisection."""
    if not meets(limit):
        return None
    low, high = 0, limit
    while low < high:
        middle = (low + high) // 2
        if meets(middle):
            high = middle
        else:
            low = middle + 1
    return low


# --- Turnout -----------------------------------------------------------------------------------


@dataclass
class Share:
    """Who has taken part so far, out of the whole estate, one building or one scope."""

    building: str | None  # None: the whole estate, or (among buildings) units not on the roll now;
    # for a scope, its title
    total: Weight = Weight()
    online: Weight = Weight()
    paper: Weight = Weight()

    @property
    def participation(self) -> Weight:
        return self.online + self.paper

    @property
    def quorum(self) -> RuleCheck:
        """For a building only a guide for canvassing: the quorum is decided over the estate."""
        return check_rule("quorum", self.participation, self.total)

    def add(self, weight: Weight, channel: str | None) -> None:
        self.total += weight
        if channel == "online":
            self.online += weight
        elif channel == "paper":
            self.paper += weight


@dataclass(frozen=True)
class Turnout:
    estate: Share
    buildings: list[Share]
    scopes: list[Share]  # the scopes motions are decided in, beyond the estate: their quorum is a rule
    voters: int
    participants: int
    log_size: int
    latest_ballot_at: datetime | None
    unplaced: bool  # some voters' units no longer match the estate's roll


def counted_channels(election: Election) -> dict[str, str]:
    """voter code -> channel of the voter's counted entry (first or last, by the re-vote
    policy), from the log's columns only: the choices are never read."""
    counting = rules.CountedBallots(election.revote)
    for voter_code, channel, cast_at in db.session.execute(
        select(LogEntry.voter_code, LogEntry.channel, LogEntry.cast_at)
        .where(LogEntry.election_id == election.id, LogEntry.kind == "ballot")
        .order_by(LogEntry.seq)
    ):
        counting.add(voter_code, cast_at, channel)
    return counting.ballots()


def _unit_places(election: Election) -> dict[str, tuple[str, int]]:
    """unit label -> (building name, area its voter holds by it) on the estate's roll: none for a
    parking space the estate leaves out."""
    count_parking = election.estate.count_parking
    return {
        label: (building, area if counts_area(use, count_parking=count_parking) else 0)
        for label, building, area, use in db.session.execute(
            select(Unit.label, Building.name, Unit.area, Unit.use)
            .join(Building, Unit.building_id == Building.id)
            .where(Unit.estate_id == election.estate_id)
        )
    }


def _placed(labels: list[str], weight: Weight, places: dict) -> list[tuple[str | None, Weight]]:
    """A voter's weight by building: each unit's area where the unit stands; the voter's one
    head where the first unit stands. A voter whose units no longer match the estate's roll
    (re-imported since the vote opened) stays whole under None."""
    found = [places.get(label) for label in labels]
    if not found or None in found or sum(area for _building, area in found) != weight.area:
        return [(None, weight)]
    return [
        (building, Weight(area, weight.heads if position == 0 else 0))
        for position, (building, area) in enumerate(found)
    ]


def _frozen_voters(election: Election) -> list[tuple[str, Weight, list[str]]]:
    """Voter code, weight and unit labels of every voter of the frozen roll."""
    units = units_by_voter(election)
    return [
        (code, Weight(area, heads), units[code])
        for code, area, heads in db.session.execute(
            select(ElectionVoter.voter_code, ElectionVoter.area, ElectionVoter.heads)
            .where(ElectionVoter.election_id == election.id)
            .order_by(ElectionVoter.voter_code)
        )
    ]


def _by_building(groups: dict):
    """Buildings in name order, units no longer on the roll last."""
    return [groups[name] for name in sorted(groups, key=lambda name: (name is None, name or ""))]


def measure_turnout(election: Election) -> Turnout:
    """Participation so far against the frozen roll, overall, by channel and by building."""
    channels = counted_channels(election)
    places = _unit_places(election)
    estate = Share(None)
    buildings: dict[str | None, Share] = {}
    scopes = {scope_id: Share(title) for scope_id, title in scope_titles(election.definition).items()}
    in_scopes = frozen_weights(election) if scopes else {}
    voters = _frozen_voters(election)
    for code, weight, labels in voters:
        channel = channels.get(code)
        estate.add(weight, channel)
        for building, part in _placed(labels, weight, places):
            buildings.setdefault(building, Share(building)).add(part, channel)
        for scope_id, held in in_scopes.get(code, {}).items():
            scopes[scope_id].add(Weight.of(held), channel)
    latest = db.session.scalar(
        select(LogEntry.logged_at)
        .where(LogEntry.election_id == election.id, LogEntry.kind == "ballot")
        .order_by(LogEntry.seq.desc())
        .limit(1)
    )
    return Turnout(
        estate=estate,
        buildings=_by_building(buildings),
        scopes=list(scopes.values()),
        voters=len(voters),
        participants=len(channels),
        log_size=election.log_size,
        latest_ballot_at=latest,
        unplaced=None in buildings,
    )


# --- Canvass list ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Doorstep:
    """A voter to visit: unit labels and masked owner names (none for the developer). Not the
    voter code: a printed list pairing it with units would link ballots cast later to units."""

    units: list[str]
    owners: list[str]


@dataclass
class CanvassGroup:
    building: str | None
    voters: list[Doorstep] = field(default_factory=list)


def _owner_names(election: Election) -> dict[str, list[str]]:
    """unit label -> its owners' names in title order, for delivered units only: an unsold or
    undelivered unit belongs to the developer whatever buyer the roster names."""
    names: dict[str, list[str]] = {}
    for label, name in db.session.execute(
        select(Unit.label, Owner.name)
        .join(UnitOwner, UnitOwner.unit_id == Unit.id)
        .join(Owner, Owner.id == UnitOwner.owner_id)
        .where(Unit.estate_id == election.estate_id, Unit.status == DELIVERED)
        .order_by(Unit.label, UnitOwner.position)
    ):
        names.setdefault(label, []).append(name)
    return names


def canvass_list(election: Election) -> list[CanvassGroup]:
    """Voters with no ballot in the log, grouped by the building of their first unit."""
    voted = set(
        db.session.scalars(
            select(LogEntry.voter_code).where(LogEntry.election_id == election.id, LogEntry.kind == "ballot")
        )
    )
    places = _unit_places(election)
    names = _owner_names(election)
    groups: dict[str | None, CanvassGroup] = {}
    for code, weight, labels in _frozen_voters(election):
        if code in voted:
            continue
        home, _weight = _placed(labels, weight, places)[0]
        owners = list(dict.fromkeys(name for label in labels for name in names.get(label, ())))
        groups.setdefault(home, CanvassGroup(home)).voters.append(
            Doorstep(labels, [mask_name(name) for name in owners])
        )
    for group in groups.values():
        group.voters.sort(key=lambda doorstep: doorstep.units[:1])
    return _by_building(groups)


# --- Results -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionResult:
    """An ordinary or major motion as the tally counted it."""

    position: int
    title: str
    item: int  # Civil Code art. 278 para. 1
    kind: str
    participation: Weight
    choices: dict[str, Weight]  # yes, no, abstain
    invalid: Weight  # paper ballots' choices marked invalid (废票), counted as taking part
    quorum: RuleCheck
    passing: RuleCheck
    result: str  # passed, failed, not_quorate
    scope: str | None = None  # whose owners alone decided it, e.g. 「3幢2单元」; None: the whole estate


# A committee candidate's outcome, as every results page and PDF names it.
STANDING_NAMES = {
    "elected": _l("elected"),
    "tied": _l("tied: not elected"),
    "runner_up": _l("approved, no seat left"),
    "not_approved": _l("not approved"),
    "undecided": _l("no decision: the vote did not reach the participation required"),
}


@dataclass(frozen=True)
class CandidateStanding:
    candidate_id: str
    name: str
    weight: Weight
    approval: RuleCheck  # more than half of the participating area and heads
    approved: bool
    rank: int | None  # among approved candidates; equal weights share a rank
    standing: str  # a key of STANDING_NAMES


@dataclass(frozen=True)
class CommitteeResult:
    position: int
    title: str
    item: int
    kind: str
    seats: int
    participation: Weight
    invalid: Weight  # as for a question
    quorum: RuleCheck
    candidates: list[CandidateStanding]  # ranked approved candidates, then the others
    elected: list[str]  # names, ranked
    tied: list[str]  # names, in rank order
    unfilled: int
    result: str  # complete, incomplete, not_quorate
    scope: str | None = None  # as for a question

    @property
    def approval_line(self) -> RuleCheck:
        """The line every candidate had to pass (the same for all: it depends on participation)."""
        return check_rule("ordinary", Weight(), self.participation)


@dataclass(frozen=True)
class OptionStanding:
    """One option of a choice motion and whether the count adopted it."""

    option_id: str
    title: str
    weight: Weight
    passing: RuleCheck  # the motion's threshold over the participation
    adopted: bool


# How much of the participating area and heads an option of a choice needs, by threshold.
THRESHOLD_SHARES = {"ordinary": _l("more than half"), "major": _l("at least three quarters")}


@dataclass(frozen=True)
class ChoiceResult:
    """A choice among several options (spec v2 §7.3): at most one adopted."""

    position: int
    title: str
    item: int
    kind: str  # "choice"
    threshold: str  # ordinary or major, from the item
    participation: Weight
    abstain: Weight  # took part and named no option
    invalid: Weight  # as for a question
    quorum: RuleCheck
    options: list[OptionStanding]  # in the motion's order
    adopted: str | None  # the adopted option's title
    result: str  # adopted, none_adopted, not_quorate
    scope: str | None = None  # as for a question

    @property
    def passing_line(self) -> RuleCheck:
        """The line every option had to reach (the same for all: it depends on participation)."""
        return check_rule(self.threshold, Weight(), self.participation)


@dataclass(frozen=True)
class Results:
    counted: int
    totals: Weight
    quorate: bool
    invalid_ballot: str  # how the estate's rules count an invalid choice (spec v2 §7.2)
    motions: list[QuestionResult | CommitteeResult | ChoiceResult]


def read_results(election: Election) -> Results | None:
    """The stored tally (spec v2 §7) with the rules that applied; None before the count."""
    if election.state != State.TALLIED:
        return None
    tally, definition, roll = election.tally, election.definition, election.roll
    totals = Weight.of(roll["totals"][record_v2.ESTATE])
    motions = {motion["motion_id"]: motion for motion in definition["motions"]}
    titles = scope_titles(definition)
    laid_out = []
    for position, entry in enumerate(tally["motions"], start=1):
        motion = motions[entry["motion_id"]]
        participation = Weight.of(entry["participation"])
        quorum = check_rule("quorum", participation, Weight.of(entry["totals"]))
        if entry["kind"] == "committee":
            laid_out.append(_committee(position, motion, entry, participation, quorum, titles.get(entry["scope"])))
        elif entry["kind"] == "choice":
            laid_out.append(_choice(position, motion, entry, participation, quorum, titles.get(entry["scope"])))
        else:
            laid_out.append(
                QuestionResult(
                    position=position,
                    title=motion["title"],
                    item=entry["item"],
                    kind=entry["threshold"],
                    participation=participation,
                    choices={choice: Weight.of(entry[choice]) for choice in rules.CHOICES},
                    invalid=Weight.of(entry["invalid"]),
                    quorum=quorum,
                    passing=check_rule(entry["threshold"], Weight.of(entry["yes"]), participation),
                    result=entry["result"],
                    scope=titles.get(entry["scope"]),
                )
            )
    return Results(
        counted=tally["counted"],
        totals=totals,
        quorate=all(motion.quorum.met for motion in laid_out),
        invalid_ballot=definition["rules"]["invalid_ballot"],
        motions=laid_out,
    )


def _committee(
    position: int, motion: dict, entry: dict, participation: Weight, quorum: RuleCheck, scope: str | None
) -> CommitteeResult:
    names = {candidate["candidate_id"]: candidate["name"] for candidate in motion["candidates"]}
    elected, tied = set(entry["elected"]), set(entry["tied"])
    approved = [candidate for candidate in entry["candidates"] if candidate["approved"]]
    # Display order only; who is elected and tied comes from the tally.
    approved.sort(key=_standing, reverse=True)
    ranks: dict[str, int] = {}
    for place, candidate in enumerate(approved, start=1):
        above = approved[place - 2] if place > 1 else None
        equal = above is not None and _standing(above) == _standing(candidate)
        ranks[candidate["candidate_id"]] = ranks[above["candidate_id"]] if equal else place

    def standing(candidate: dict) -> CandidateStanding:
        candidate_id = candidate["candidate_id"]
        weight = Weight(candidate["area"], candidate["heads"])
        if not quorum.met:
            # Without the participation art. 278 requires there is no decision to label a
            # candidate with, whatever share of yes they drew.
            status = "undecided"
        elif candidate_id in elected:
            status = "elected"
        elif candidate_id in tied:
            status = "tied"
        else:
            status = "runner_up" if candidate["approved"] else "not_approved"
        return CandidateStanding(
            candidate_id,
            names[candidate_id],
            weight,
            check_rule("ordinary", weight, participation),
            candidate["approved"],
            ranks.get(candidate_id),
            status,
        )

    others = [candidate for candidate in entry["candidates"] if not candidate["approved"]]
    return CommitteeResult(
        position=position,
        title=motion["title"],
        item=entry["item"],
        kind="committee",
        seats=motion["seats"],
        participation=participation,
        invalid=Weight.of(entry["invalid"]),
        quorum=quorum,
        candidates=[standing(candidate) for candidate in approved + others],
        elected=[names[candidate_id] for candidate_id in entry["elected"]],
        tied=[names[candidate_id] for candidate_id in entry["tied"]],
        unfilled=entry["unfilled"],
        result=entry["result"],
        scope=scope,
    )


def _choice(
    position: int, motion: dict, entry: dict, participation: Weight, quorum: RuleCheck, scope: str | None
) -> ChoiceResult:
    titles = {option["option_id"]: option["title"] for option in motion["options"]}
    options = [
        OptionStanding(
            option["option_id"],
            titles[option["option_id"]],
            Weight.of(option),
            check_rule(entry["threshold"], Weight.of(option), participation),
            option["adopted"],
        )
        for option in entry["options"]
    ]
    return ChoiceResult(
        position=position,
        title=motion["title"],
        item=entry["item"],
        kind="choice",
        threshold=entry["threshold"],
        participation=participation,
        abstain=Weight.of(entry["abstain"]),
        invalid=Weight.of(entry["invalid"]),
        quorum=quorum,
        options=options,
        adopted=titles[entry["adopted_option"]] if entry["adopted_option"] else None,
        result=entry["result"],
        scope=scope,
    )


def _standing(candidate: dict) -> tuple[int, int]:
    """Seats go by heads, then area (spec §2.5)."""
    return candidate["heads"], candidate["area"]


# --- How each unit voted -----------------------------------------------------------------------


def choice_printers(definition: dict) -> list:
    """Per motion, a function from a ballot body to the text shown for its choice (minutes, unit
    choices); a choice the clerks marked invalid (废票) is shown as such, with the reason."""
    names = {"yes": _("Yes"), "no": _("No"), "abstain": _("Abstain")}

    def question(choices: dict, motion_id: str) -> str:
        return names[choices.get(motion_id, "abstain")]  # missing: took part, abstained

    def committee(candidates: list[dict]):
        def printed(choices: dict, motion_id: str) -> str:
            chosen = set(choices.get(motion_id, ()))
            return "、".join(c["name"] for c in candidates if c["candidate_id"] in chosen) or "—"

        return printed

    def option(options: list[dict]):
        def printed(choices: dict, motion_id: str) -> str:
            chosen = choices.get(motion_id) or [None]  # missing or []: took part, named none
            return next((o["title"] for o in options if o["option_id"] == chosen[0]), _("None of the options"))

        return printed

    def printer(motion_id: str, valid_choice):
        def printed(ballot: dict) -> str:
            reason = ballot.get("invalid", {}).get(motion_id)
            if reason is not None:
                return _("Invalid (%(reason)s)", reason=INVALID_REASON_NAMES[reason])
            return valid_choice(ballot["choices"], motion_id)

        return printed

    def valid_choice(motion: dict):
        if motion["kind"] == "committee":
            return committee(motion["candidates"])
        if motion["kind"] == "choice":
            return option(motion["options"])
        return question

    return [printer(motion["motion_id"], valid_choice(motion)) for motion in definition["motions"]]


@dataclass(frozen=True)
class UnitRow:
    """A counted voter's units and the choices of their counted ballot, as printed."""

    units: list[str]
    choices: tuple[str, ...]


@dataclass(frozen=True)
class UnitChoices:
    """How each unit voted. Only for the eyes voting.auth.access.may_see_unit_choices allows:
    this is the very link the private roll hides from the public."""

    motions: list[str]  # titles, in the order of each row's choices
    rows: list[UnitRow]  # every counted voter, in unit order


def unit_choices(election: Election) -> UnitChoices:
    definition = election.definition
    counted = rules.counted_entries_v2(definition, log_entries(election))
    printers = choice_printers(definition)
    rows = [
        UnitRow(units, tuple(p(counted[voter_code]["body"]) for p in printers))
        for voter_code, units in units_by_voter(election).items()
        if voter_code in counted
    ]
    return UnitChoices([motion["title"] for motion in definition["motions"]], sorted(rows, key=lambda row: row.units))
