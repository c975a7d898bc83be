"""The demo county, run once for every test of the command line and of what it publishes."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory) -> Path:
    """A folder where ``geoplan demo`` ran (offline tiles): scenario, plan, routes and every publication."""
    folder = tmp_path_factory.mktemp("cli") / "demo"
    run = subprocess.run([sys.executable, "-m", "geoplan", "demo", "--out", str(folder), "--tiles", "none", "--quiet"],
                         capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr
    return folder


@pytest.fixture
def demo_copy(demo_dir, tmp_path) -> Path:
    """A copy of the demo folder a test may change."""
    target = tmp_path / "scenario"
    shutil.copytree(demo_dir, target)
    return target
