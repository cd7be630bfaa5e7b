"""The ``packaging`` marker: tests that build the installers and start the frozen app.

They take minutes, so they are skipped unless ``GDVIZ_PACKAGING_TESTS=1`` (scripts/test.sh runs
them in a second pytest call). Measured sizes and times are printed at the end of the run.
"""

from __future__ import annotations

import os

import pytest

_REPORT: dict[str, str] = {}


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "packaging: builds the installers and runs the frozen app (set GDVIZ_PACKAGING_TESTS=1)",
    )


def pytest_collection_modifyitems(config, items):
    if os.environ.get("GDVIZ_PACKAGING_TESTS") == "1":
        return
    skip = pytest.mark.skip(reason="packaging tests run only with GDVIZ_PACKAGING_TESTS=1")
    for item in items:
        if "packaging" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def packaging_report() -> dict[str, str]:
    """Measurements (name -> text) printed in the terminal summary."""
    return _REPORT


def pytest_terminal_summary(terminalreporter):
    if _REPORT:
        terminalreporter.section("gdviz installers (measured)")
        for name, value in _REPORT.items():
            terminalreporter.write_line(f"{name}: {value}")
