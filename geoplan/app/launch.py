"""Starting the app: the demo folder to open and the Streamlit command line."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from layers.errors import GeoplanError
from geoplan.scenario import SCENARIO_FILE

#: The page script Streamlit runs.
APP_SCRIPT = Path(__file__).with_name("streamlit_app.py")
#: Folder ``geoplan app`` opens when no scenario is given and this folder holds a scenario.
LOCAL_DEMO = Path("geoplan-demo")


def demo_folder(cwd: Path | None = None) -> Path:
    """The demo county to open: ``./geoplan-demo`` if it holds a scenario, else a new temporary one."""
    local = (cwd or Path.cwd()) / LOCAL_DEMO
    if (local / SCENARIO_FILE).exists():
        return local
    from geoplan.demo.scenario_folder import write_demo_scenario

    return write_demo_scenario(Path(tempfile.mkdtemp(prefix="geoplan-demo-")) / "demo")


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
        "--", str(folder),
    ]
