"""Starting the app: the demo folder to open and the Streamlit command line."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from layers.errors import GeoplanError
from geoplan.scenario import SCENARIO_FILE

#: The page script Streamlit runs.
APP_SCRIPT = Path(__file__).with_name("streamlit_app.py")
#: Folder ``geoplan app`` opens when no scenario is given and this folder holds a scenario.
LOCAL_DEMO = Path("geoplan-demo")


@contextmanager
def demo_scenario(cwd: Path | None = None) -> Iterator[Path]:
    """The demo county to open: ``./geoplan-demo`` if it holds a scenario, else a temporary one.

    A temporary demo (written to the system's temp folder) is removed when the block
    ends, also when the app is stopped with Ctrl+C or terminated (see :func:`serve`);
    what the planner saves into it goes with it — run ``geoplan demo`` first to keep it.
    """
    local = (cwd or Path.cwd()) / LOCAL_DEMO
    if (local / SCENARIO_FILE).exists():
        yield local
        return
    from geoplan.demo.scenario_folder import write_demo_scenario

    tmp = Path(tempfile.mkdtemp(prefix="geoplan-demo-"))
    try:
        yield write_demo_scenario(tmp / "demo")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def serve(command: list[str], stop_timeout_s: float = 15.0) -> int:
    """Run the app server until it exits, Ctrl+C or a SIGTERM; returns its exit code (0 when stopped).

    SIGTERM is turned into the same orderly stop as Ctrl+C, so the caller's clean-up
    (e.g. removing a temporary demo folder) runs.
    """
    def _terminate(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, _terminate)
    proc = subprocess.Popen(command)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        try:
            proc.wait(timeout=stop_timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)


def streamlit_command(scenario_dir: Path, host: str = "127.0.0.1", port: int = 8501) -> list[str]:
    """The ``python -m streamlit run …`` command serving the app for ``scenario_dir``.

    Raises
    ------
    GeoplanError
        If the port is outside 1–65535 or the folder has no ``scenario.toml``.
    """
    if not 0 < int(port) < 65536:
        raise GeoplanError(f"--port must be between 1 and 65535, got {port}")
    folder = Path(scenario_dir).resolve()
    if not (folder / SCENARIO_FILE).exists():
        raise GeoplanError(f"{folder}: no {SCENARIO_FILE} — give a scenario folder or run `geoplan demo` first")
    return [
        sys.executable, "-m", "streamlit", "run", str(APP_SCRIPT),
        "--server.address", host, "--server.port", str(int(port)), "--server.headless", "true",
        "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
        # viewer options only: no "Deploy" button or developer menu for a planner
        "--client.toolbarMode", "minimal",
        "--", str(folder),
    ]
