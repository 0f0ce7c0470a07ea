"""Shared fixtures of the trust-core tests."""

from pathlib import Path

import pytest

from tests.conftest import shared_path


@pytest.fixture
def vectors() -> Path:
    """The format-1 spec's conformance vectors, present on developer machines and in CI."""
    return shared_path("spec", "vectors")
