"""What the public pages read of a counted vote."""

import json
from dataclasses import dataclass

from voting.elections.models import Election


@dataclass(frozen=True)
class PublishedMotion:
    position: int  # in the tally, from 0
    title: str
    entry: dict  # the motion's entry of the published tally (spec v2 §7.3)
    candidate_names: dict  # candidate_id -> name, for a committee


@dataclass(frozen=True)
class PublishedResult:
    """The result the server published when it counted the vote: the tally itself, which the
    record page puts beside the browser's recount, and the titles and names to show it with."""

    tally: dict
    motions: list[PublishedMotion]


def published_result(election: Election) -> PublishedResult:
    tally = json.loads(election.tally_json)
    definitions = {motion["motion_id"]: motion for motion in json.loads(election.definition_json)["motions"]}
    motions = []
    for position, entry in enumerate(tally["motions"]):
        definition = definitions[entry["motion_id"]]
        names = {candidate["candidate_id"]: candidate["name"] for candidate in definition.get("candidates", [])}
        motions.append(PublishedMotion(position, definition["title"], entry, names))
    return PublishedResult(tally, motions)
