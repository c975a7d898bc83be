"""The app as a planner meets it: ``geoplan app`` served on localhost and read in a real browser.

The end-to-end tests and the browser benchmark both start the app as its own process
and drive its page with Playwright in headless Chromium. What they share lives here:
starting and stopping the server, and reading the page (whether its session is open,
whether edits are in progress, the station symbols drawn, the figures).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

#: A coverage figure on the page; the first one is the headline coverage rate.
METRIC = ".figure .value"
#: A station symbol on the app's map (existing or placed), carrying ``data-id``.
STATION_SYMBOL = ".gp-station[data-id]"
#: Headless Chromium in a container: no sandbox, no GPU, no calls home.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    """The system's Chromium (or Chrome) executable, or None if there is none on PATH."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def free_port() -> int:
    """A TCP port on 127.0.0.1 no one listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(health_url: str, proc: subprocess.Popen, timeout_s: float) -> None:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"the app exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(health_url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"the app did not answer at {health_url} within {timeout_s:.0f} s")


@contextmanager
def serving(command: list[str], health_url: str, log_path: Path, *, env: dict | None = None,
            cwd: Path | None = None, timeout_s: float = 120.0) -> Iterator[None]:
    """Run a server ``command`` in its own process group until its ``health_url`` answers; stop it on exit.

    Parameters
    ----------
    command : list of str
        The server's command line.
    health_url : str
        Address that answers 200 once the server is ready.
    log_path : Path
        File that receives the server's output.
    env, cwd : optional
        Its environment (default this one's, with ``CI=true``) and working folder.
    timeout_s : float
        How long to wait for the health check, seconds.
    """
    with open(log_path, "w") as log:
        proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env or dict(os.environ, CI="true"),
                                cwd=cwd, start_new_session=True)
        try:
            _wait_healthy(health_url, proc, timeout_s)
            yield
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(timeout=15)


@contextmanager
def served_app(folder: Path, log_path: Path, *, timeout_s: float = 120.0) -> Iterator[str]:
    """``geoplan app FOLDER`` on a free localhost port; yields its URL, stops it on exit.

    Parameters
    ----------
    folder : Path
        Scenario folder the app opens.
    log_path : Path
        File that receives the server's output.
    timeout_s : float
        How long to wait for the server to answer its health check, seconds.
    """
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "geoplan", "app", str(folder), "--port", str(port)]
    with serving(command, f"{url}/health", log_path, timeout_s=timeout_s):
        yield url


def open_page(page, url: str, timeout_s: float = 60.0) -> None:
    """Load the app at ``url`` and wait until its session is open and its map drawn."""
    page.goto(url)
    page.wait_for_function("() => document.body.dataset.ready === '1' && window.map && map.getSize().x > 0",
                           timeout=timeout_s * 1000)


def wait_idle(page, timeout_s: float = 60.0) -> None:
    """Wait until the page has no edit waiting or on its way."""
    page.wait_for_function("() => document.body.dataset.busy === '0'", timeout=timeout_s * 1000)


def station_ids(page) -> list[str]:
    """Ids of the station symbols on the map, in drawing order."""
    return page.evaluate(f"() => [...document.querySelectorAll('{STATION_SYMBOL}')].map(e => e.dataset.id)")


def first_figure(page) -> str:
    """The headline coverage figure as the page shows it, e.g. ``"62.5 %"``."""
    return page.locator(f"{METRIC}").first.inner_text()


def click_lonlat(page, lon: float, lat: float) -> None:
    """Click the map at a longitude/latitude (the point must be in view)."""
    x, y = page.evaluate("([lon, lat]) => { const p = map.latLngToContainerPoint([lat, lon]); return [p.x, p.y]; }",
                         [lon, lat])
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
