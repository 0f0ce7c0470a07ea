from pathlib import Path

import pytest

from tests.conftest import shared_path
from voting.core.weights import summarize, voters


@pytest.fixture(scope="session")
def shared_fixtures() -> Path:
    return shared_path("fixtures")


@pytest.fixture
def summary_of():
    """The weights summary of an accepted ParseResult."""

    def summary(result, count_parking=True):
        assert result.errors == (), [str(error) for error in result.errors]
        return summarize(voters((row.to_unit() for row in result.rows), count_parking=count_parking))

    return summary
