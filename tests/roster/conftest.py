from pathlib import Path

import pytest

from voting.core.weights import summarize, voters

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def shared_fixtures() -> Path:
    path = REPO_ROOT.parent / "shared" / "fixtures"
    if not path.is_dir():
        pytest.skip("../shared/fixtures not present (only on developer machines and CI)")
    return path


@pytest.fixture
def summary_of():
    """The weights summary of an accepted ParseResult."""

    def summary(result, count_parking=True):
        assert result.errors == (), [str(error) for error in result.errors]
        return summarize(voters((row.to_unit() for row in result.rows),
                                count_parking=count_parking))

    return summary
