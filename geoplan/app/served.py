"""The app as a planner meets it: ``geoplan app`` served on localhost and read in a real browser.

The end-to-end tests and the browser benchmark both start the app as its own process
and drive its page with Playwright in headless Chromium. What they share lives here:
starting and stopping the server, and reading the page (the one mounted map, whether a
script run is in progress, the station symbols drawn).
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

#: The streamlit-folium component that holds the map.
MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
#: A figure (st.metric value) on the page; the first one is the headline coverage rate.
METRIC = '[data-testid="stMetricValue"]'
#: A station symbol on the app's map (existing, placed or suggested).
STATION_SYMBOL = ".gp-icon"
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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, timeout_s: float) -> None:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"the app exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"the app did not answer at {url} within {timeout_s:.0f} s")


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
    port = _free_port()
    env = dict(os.environ, CI="true", STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    with open(log_path, "w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "geoplan", "app", str(folder), "--port", str(port)],
                                stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_healthy(url, proc, timeout_s)
            yield url
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(timeout=15)


def live_map(page, timeout_s: float = 60.0, poll_ms: int = 20):
    """The frame of the one mounted map, once it has drawn (a Playwright ``Frame``).

    Raises ``RuntimeError`` if the page shows no single drawn map within ``timeout_s``.
    """
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        frames = page.locator(MAP_IFRAME)
        if frames.count() == 1:
            frame = frames.element_handle().content_frame()
            try:
                if frame is not None and frame.evaluate("() => !!window.map && window.map.getSize().x > 0"):
                    return frame
            except Exception:  # the frame went while we asked: a remount in progress
                pass
        page.wait_for_timeout(poll_ms)
    raise RuntimeError("the map did not settle")


def map_box(page, timeout_s: float = 60.0) -> tuple[dict, object]:
    """(the map's box on the page, its frame), once the page shows one drawn map."""
    end = time.monotonic() + timeout_s
    while True:
        frame = live_map(page, max(end - time.monotonic(), 0.1))
        box = frame.locator(".leaflet-container").bounding_box()
        if box is not None:
            return box, frame
        if time.monotonic() >= end:
            raise RuntimeError("the map has no box on the page")
        page.wait_for_timeout(100)


def wait_idle(page, timeout_s: float = 60.0) -> None:
    """Wait until the page has no script run in progress (Streamlit's status widget gone)."""
    page.wait_for_timeout(300)
    end = time.monotonic() + timeout_s
    while time.monotonic() < end and page.locator('[data-testid="stStatusWidget"]').count():
        page.wait_for_timeout(50)


def stations_on_map(page) -> int:
    """Station symbols on the one drawn map, or -1 while the map is being (re)mounted."""
    frames = page.locator(MAP_IFRAME)
    if frames.count() != 1:
        return -1
    try:
        frame = frames.element_handle().content_frame()
        return frame.evaluate("(sel) => window.map && window.map.getSize().x > 0 ? "
                              "document.querySelectorAll(sel).length : -1", STATION_SYMBOL)
    except Exception:  # the frame went while we asked
        return -1
