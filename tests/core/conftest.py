"""Shared fixtures of the trust-core tests."""

from pathlib import Path

import pytest

from tests.core.recordkit import VECTORS


@pytest.fixture
def vectors() -> Path:
    """The spec's conformance vectors, present on developer machines and in CI."""
    if not VECTORS.is_dir():
        pytest.skip("../shared/spec/vectors not present (only on developer machines and CI)")
    return VECTORS
