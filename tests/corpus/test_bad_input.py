"""Every case of the bad-input corpus, run as a planner runs geoplan (a subprocess).

Each case asserts the exit code, the words that name the file / layer / row / field and the
fix, that no traceback shows, and — for a run that stops — that the scenario folder is
byte for byte as it was (by a hash listing of every file and link).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from corpus_cases import CASES, Case  # noqa: E402


def geoplan(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "geoplan", *args], capture_output=True, text=True, timeout=900,
                          env=env)


def listing(folder: Path) -> dict[str, str]:
    """Every file (by content hash) and link (by target) under ``folder``."""
    out = {}
    for root, dirs, files in os.walk(folder, followlinks=False):
        for name in sorted(dirs + files):
            path = Path(root) / name
            key = str(path.relative_to(folder))
            if path.is_symlink():
                out[key] = "-> " + os.readlink(path)
            elif path.is_file():
                out[key] = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                out[key] = "dir"
    return out


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    """The demo county with a sited alternative adopted, a report and film routes written."""
    from geoplan.demo.scenario_folder import write_demo_scenario

    folder = tmp_path_factory.mktemp("corpus") / "county"
    write_demo_scenario(folder, seed=202611)
    for args in (("site", str(folder), "--kind", "film_recycling_stations", "--model", "p-median", "--p", "5"),
                 ("plan", "adopt", str(folder), "site-film_recycling_stations-p-median"),
                 ("route", str(folder), "--workflow", "film", "--iterations", "50"),
                 ("report", str(folder), "--tiles", "none")):
        run = geoplan(*args, "--quiet") if args[0] != "plan" else geoplan(*args)
        assert run.returncode == 0, (args, run.stderr)
    return folder


def test_the_corpus_covers_every_class():
    groups = Counter(case.group for case in CASES)
    assert len(CASES) >= 60 and len({c.id for c in CASES}) == len(CASES)
    assert set(groups) == {"unreadable", "settings", "no-result", "outputs", "implausible", "messages"}
    assert min(groups.values()) >= 3


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_gets_one_clear_answer(case: Case, base: Path, tmp_path: Path):
    d = tmp_path / "county"
    shutil.copytree(base, d, symlinks=True)
    case.mutate(d)
    before = listing(d)
    run = geoplan(*[a.format(d=d) for a in case.args])
    said = run.stdout + run.stderr
    assert "Traceback" not in said, said
    assert run.returncode == case.code, (run.returncode, said)
    for needle in case.needles:
        assert needle in said, (needle, said)
    if case.code != 0:
        errors = [line for line in run.stderr.splitlines() if line.startswith(("错误 / error", "无可行结果 / no result"))]
        assert len(errors) == 1, run.stderr
        assert listing(d) == before, "a failed run changed the folder"
    else:
        assert listing(d) == before, "validate wrote into the folder"


@pytest.mark.parametrize("args", [
    ("site", "{d}", "--kind", "film_recycling_stations", "--model", "p-median", "--p", "5", "--quiet"),
    ("route", "{d}", "--workflow", "film", "--iterations", "20", "--quiet"),
    ("plan", "list", "{d}"),
], ids=["site", "route", "plan-list"])
def test_every_command_says_what_validate_says(base: Path, tmp_path: Path, args):
    """An implausible value is named by every command that reads the layer, not only by validate."""
    from corpus_cases import set_value

    d = tmp_path / "county"
    shutil.copytree(base, d, symlinks=True)
    set_value("residential_communities", "population", 10 ** 12)(d)
    run = geoplan(*[a.format(d=d) for a in args])
    assert run.returncode == 0, run.stderr
    warnings = [line for line in run.stderr.splitlines() if line.startswith("警告 / warning")]
    assert any("row RC0001, field population" in line and "persons" in line for line in warnings), run.stderr
