"""Shared fixtures: a real headless Chromium for pages geoplan writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from geoplan.app.served import CHROMIUM_FLAGS, chromium_path


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium driven by Playwright (the system's Chromium, not a downloaded one)."""
    path = chromium_path()
    if path is None:
        pytest.skip("Chromium is not installed (the README's test command installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_FLAGS)
        yield b
        b.close()


@pytest.fixture
def render_html(browser):
    """Open a local HTML file, wait for it to settle, save a PNG; return the page's JavaScript errors."""

    def render(html_path: Path, png_path: Path, width: int = 1400, height: int = 1000) -> tuple[list[str], object]:
        page = browser.new_page(viewport={"width": width, "height": height})
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.goto(Path(html_path).resolve().as_uri(), wait_until="load")
        page.wait_for_timeout(800)
        page.screenshot(path=str(png_path))
        return errors, page

    return render
