"""Candidates for the owners' committee: nominations, joint review, publication and objections."""
