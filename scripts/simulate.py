#!/usr/bin/env python3
"""A whole vote on a generated estate, held through the HTTP endpoints; writes its record.

    .venv/bin/python scripts/simulate.py --voters N --turnout F --paper F --seed S --out RECORD.json [--artifacts DIR]

The app is configured from the environment, as `flask --app voting` is (simulation/vote.py).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask.cli import ScriptInfo  # noqa: E402

from simulation.vote import simulate_command  # noqa: E402
from voting import create_app  # noqa: E402

if __name__ == "__main__":
    simulate_command(obj=ScriptInfo(create_app=create_app))
