"""Turnout while a vote runs, the canvass list, and the results of the count."""
