"""The HTML report as a person sees it: rendered by headless Chromium (Debian's ``chromium``).

The screenshot must not be blank, the page must log nothing on the console (its own
Content-Security-Policy forbids every fetch and script, so a fetched asset or a script shows
there as a violation), and the ER diagram in the rendered DOM must name every entity. Two
control pages show that the blank and the console checks do catch what they look for.
"""

from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from PIL import Image

from tests.conftest import generated_project
from tests.helpers import run_backendgen

pytestmark = pytest.mark.xdist_group("defaults-report")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--enable-logging=stderr",
    "--v=0",
]


def _chromium(page: Path, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args, page.as_uri()],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def _console(stderr: str) -> list[str]:
    """The page's console messages in Chromium's log (``INFO:CONSOLE(...)`` lines)."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


def _screenshot(page: Path, tmp: Path) -> tuple[Image.Image, list[str]]:
    shot = tmp / f"{page.stem}.png"
    done = _chromium(page, tmp / "profile", f"--screenshot={shot}", "--window-size=1200,1600")
    return Image.open(shot).convert("RGB"), _console(done.stderr)


def _not_blank(image: Image.Image) -> tuple[int, float]:
    """Distinct colours, and the share of pixels that are not white."""
    colours = image.getcolors(maxcolors=1 << 20) or []
    pixels = image.width * image.height
    white = sum(count for count, colour in colours if colour == (255, 255, 255))
    return len(colours), 1 - white / pixels


class _EntityNames(HTMLParser):
    """The texts of ``class="entity-name"`` elements inside ``svg#er-diagram``."""

    def __init__(self) -> None:
        super().__init__()
        self.in_diagram = False
        self.in_name = False
        self.names: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "svg" and found.get("id") == "er-diagram":
            self.in_diagram = True
        self.in_name = self.in_diagram and tag == "text" and found.get("class") == "entity-name"

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self.in_diagram = False
        self.in_name = False

    def handle_data(self, data: str) -> None:
        if self.in_name:
            self.names.append(data)


@pytest.fixture(scope="module")
def page(isolated_environment: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The defaults project's report page."""
    project = generated_project(isolated_environment, "defaults")
    target = tmp_path_factory.mktemp("chromium") / "report.html"
    done = run_backendgen("report", str(project), "--html", str(target))
    assert done.returncode == 0, done.stderr
    return target


def test_report_renders_in_chromium(page: Path, isolated_environment: Path, tmp_path: Path) -> None:
    image, console = _screenshot(page, tmp_path)
    assert console == []
    colours, ink = _not_blank(image)
    assert colours > 50, colours
    assert ink > 0.05, ink
    dom = _chromium(page, tmp_path / "profile", "--dump-dom").stdout
    parser = _EntityNames()
    parser.feed(dom)
    project = generated_project(isolated_environment, "defaults")
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    entities = [entity["name"] for entity in answers["domain_spec"]["entities"]]
    assert len(entities) >= 3
    assert sorted(parser.names) == sorted(entities)


def test_the_checks_catch_a_blank_page_and_console_errors(tmp_path: Path) -> None:
    blank = tmp_path / "blank.html"
    blank.write_text("<!DOCTYPE html><html><body></body></html>")
    image, console = _screenshot(blank, tmp_path)
    assert _not_blank(image)[1] == 0.0
    assert console == []
    noisy = tmp_path / "noisy.html"
    noisy.write_text(
        "<!DOCTYPE html><html><head><meta http-equiv='Content-Security-Policy' "
        "content=\"default-src 'none'\"></head><body><p>x</p>"
        "<img src='http://127.0.0.1:9/x.png'><script>console.error('boom')</script></body></html>"
    )
    _, console = _screenshot(noisy, tmp_path)
    assert len(console) == 2, console  # the blocked image and the blocked script
