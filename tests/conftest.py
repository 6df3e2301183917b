"""Shared fixtures: the real tracking data that lives beside the checkout in ../shared/data."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def shared_path(*parts: str) -> Path:
    """A path under ../shared/data, skipping the test when that data is not beside the checkout."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real data not available: {path} (../shared/data is absent beside the checkout)")
    return path


@pytest.fixture(scope="session")
def otb_root() -> Path:
    return shared_path("otb", "OTB2015")


@pytest.fixture(scope="session")
def otb_results() -> Path:
    return shared_path("otb", "results")


@pytest.fixture(scope="session")
def otb2015(otb_root):
    from evalkit.benchmarks import load_benchmark

    return load_benchmark("otb2015", otb_root)
