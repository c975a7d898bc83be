"""Starting the app: the demo folder to open, and the server on it."""

from __future__ import annotations

import shutil
import signal
import socket
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from layers.errors import GeoplanError
from geoplan.scenario import SCENARIO_FILE

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


#: Addresses that keep the app on this computer.
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def exposure_note(host: str, port: int, folder: Path) -> str | None:
    """What binding to ``host`` exposes, when it is not this computer alone (None for loopback)."""
    if host in LOOPBACK or host.startswith("127."):
        return None
    return (f"注意 the app listens on {host}:{port}: anyone who can reach this computer on that port can see the "
            f"scenario's layers and plans, and save plan alternatives and exports into {folder / 'output'} — there "
            "is no login. Use --host 127.0.0.1 (the default) unless the network is one you trust.")


def check_port_free(host: str, port: int) -> None:
    """GeoplanError naming the port when ``host:port`` cannot be listened on (in use, or not this computer's)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise GeoplanError(f"cannot listen on {host}:{port} ({exc.strerror}) — another geoplan app may be "
                               "running there: pass --port with a free port, or a --host of this computer") from None


def serve(folder: Path, host: str = "127.0.0.1", port: int = 8501, max_sessions: int | None = None) -> int:
    """Serve the app for the scenario in ``folder`` until Ctrl+C or SIGTERM; returns 0 when stopped.

    The scenario, its road network and what every session reads are built once, before the
    server answers.

    Raises
    ------
    GeoplanError
        If the port is outside 1–65535 or the folder has no ``scenario.toml``.
    """
    import uvicorn

    from geoplan.app.web import create_app
    from geoplan.app.workspace import DEFAULT_MAX_SESSIONS, Workspace
    from geoplan.scenario import load_scenario

    if not 0 < int(port) < 65536:
        raise GeoplanError(f"--port must be between 1 and 65535, got {port}")
    folder = Path(folder).resolve()
    if not (folder / SCENARIO_FILE).exists():
        raise GeoplanError(f"{folder}: no {SCENARIO_FILE} — give a scenario folder or run `geoplan demo` first")
    check_port_free(host, int(port))
    scenario = load_scenario(folder)
    _ = scenario.road_network
    workspace = Workspace(scenario, max_sessions=max_sessions or DEFAULT_MAX_SESSIONS)
    workspace.warm()
    config = uvicorn.Config(create_app(workspace), host=host, port=int(port), log_level="warning",
                            access_log=False, timeout_graceful_shutdown=5)
    server = uvicorn.Server(config)

    def _terminate(signum, frame):  # SIGTERM stops as Ctrl+C does, so the caller's clean-up runs
        server.should_exit = True

    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
    return 0
