"""Stand-ins for the people and the load of a real vote: a whole vote held through the HTTP
endpoints (vote.py, run by scripts/simulate.py), clerks at a paper desk, a vetted candidate
list, signed records built from fixed keys (records.py, records_v2.py), gunicorn in a
subprocess and the phone engines' missing crypto. The tests and scripts/bench.py build with them.

Outside the voting package on purpose: the Flask app never imports this package
(tests/test_import_cycles.py checks), so no code that holds keys for owners and clerks, or
signs in their place, is deployed inside the server.
"""
