"""The README's Python API examples run as written and print what the README shows."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def _examples() -> list[tuple[str, str]]:
    """(python code, the text block after it) of the section "Python API"."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Python API", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```\s*```text\n(.*?)```", section, flags=re.S)


def test_the_readme_has_every_example():
    codes = [code for code, _ in _examples()]
    assert len(codes) == 3
    assert "solve_p_median" in codes[0] and "solve_target_cover" in codes[1] and "RoutingProblem" in codes[2]


def test_readme_examples_print_what_the_readme_says():
    for code, shown in _examples():
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, str(README), "exec"), {})
        assert out.getvalue().strip() == shown.strip()
