"""Candidates for the owners' committee: from nomination to a committee motion, one module a step.

``lists`` (a list, its seats and rules) → ``nominations`` → ``review`` (rules fixed; each body
records its verdicts) → ``publication`` (公示: the vetted list is public) with ``objections``
(owners object, the group answers) → ``motion`` (the list becomes a committee motion of a vote).
Every change is in the audit log.
"""
