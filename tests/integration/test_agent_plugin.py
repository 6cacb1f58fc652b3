"""A seventh agent from an installed plugin (an entry point), without touching backendgen.

Each test writes a tiny distribution into ``tmp_path`` (a package and its ``*.dist-info``
with ``entry_points.txt``), puts it on the ``PYTHONPATH`` of ``backendgen new``, and reads
the generated project's history.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import git

from tests.helpers import run_backendgen

REPO = Path(__file__).resolve().parents[2]

PLUGIN = '''
"""A changelog agent: one CHANGELOG.md listing the entities the core agent designed."""

from pathlib import Path

from pydantic import Field

from backendgen.agents.base import AgentDefinition
from backendgen.agents.spec_base import ShortText, SlotSpec


class ChangelogSpec(SlotSpec):
    """The first release's notes."""

    version: str = Field(pattern=r"^[0-9]+[.][0-9]+[.][0-9]+$", description="First release.")
    entries: list[ShortText] = Field(min_length=1, description="One line per change.")


def changelog_blueprint(source):
    core = source.upstream["core_backend"]
    return ChangelogSpec.model_construct(
        version=VERSION, entries=[f"Add {e.name}" for e in core.entities] or ["Skeleton"]
    )


VERSION = "0.1.0"

AGENT = AgentDefinition(
    name="changelog",
    spec_type=ChangelogSpec,
    depends_on=("core_backend",),
    blueprint=changelog_blueprint,
    scope="changelog",
    template=Path(__file__).parent / "template",
)
'''

TEMPLATE = """# Changelog of {{ project_name }}

## {{ spec.version }}
{% for entry in spec.entries %}
- {{ entry }}
{%- endfor %}
"""


def _plugin(tmp_path: Path, source: str = PLUGIN, target: str = "bg_changelog:AGENT") -> Path:
    """Write the distribution ``bg-changelog`` into ``tmp_path/site``; return that folder."""
    site = tmp_path / "site"
    package = site / "bg_changelog"
    (package / "template").mkdir(parents=True)
    (package / "__init__.py").write_text(textwrap.dedent(source), encoding="utf-8")
    (package / "template" / "CHANGELOG.md.jinja").write_text(TEMPLATE, encoding="utf-8")
    info = site / "bg_changelog-0.1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: bg-changelog\nVersion: 0.1.0\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        f"[backendgen.agents]\nchangelog = {target}\n", encoding="utf-8"
    )
    return site


def _new(tmp_path: Path, site: Path) -> tuple[Path, int, str]:
    destination = tmp_path / "shop"
    paths = [str(site), str(REPO), os.environ.get("PYTHONPATH", "")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}
    done = run_backendgen(
        "new",
        str(destination),
        "--defaults",
        "-d",
        "project_name=shop",
        "-d",
        "database=sqlite",
        env=env,
    )
    return destination, done.returncode, done.stderr


def test_a_plugin_agent_gets_its_own_commit(tmp_path: Path) -> None:
    destination, code, stderr = _new(tmp_path, _plugin(tmp_path))
    assert code == 0, stderr[-3000:]
    commits = list(git.Repo(destination).iter_commits("HEAD", reverse=True))
    agents = [c.trailers_dict.get("Backendgen-Agent", [""])[-1] for c in commits[1:]]
    assert agents[:6] == [
        "core_backend",
        "security_compliance",
        "devops_infrastructure",
        "monitoring_observability",
        "documentation",
        "testing_qa",
    ]
    assert agents[6:] == ["changelog"]
    last = commits[-1]
    assert last.summary == "feat(changelog): changelog slot from blueprint"
    trailers = {k: v[-1] for k, v in last.trailers_dict.items()}
    assert trailers["Backendgen-Source"] == "blueprint"
    assert len(trailers["Backendgen-Spec-Sha256"]) == 64
    assert sorted(last.stats.files) == ["CHANGELOG.md"]
    changelog = (destination / "CHANGELOG.md").read_text(encoding="utf-8")
    assert changelog.startswith("# Changelog of shop\n\n## 0.1.0\n")
    assert "\n- Add Customer" in changelog  # the ecommerce catalogue's first entity


def test_a_plugin_spec_that_fails_validation_is_one_line_exit_2(tmp_path: Path) -> None:
    site = _plugin(tmp_path, PLUGIN.replace('VERSION = "0.1.0"', 'VERSION = "one"'))
    destination, code, stderr = _new(tmp_path, site)
    assert code == 2, stderr[-3000:]
    lines = stderr.strip().splitlines()  # the progress lines, then the one error line
    assert [line for line in lines if "error" in line] == lines[-1:], stderr
    assert lines[-1].startswith(
        "backendgen: error: plugin agent 'changelog' produced an invalid spec: "
    )
    assert lines[-1].endswith(" at version")
    assert "Traceback" not in stderr
    assert not destination.exists()


def test_a_plugin_that_fails_to_import_is_one_line_exit_2(tmp_path: Path) -> None:
    site = _plugin(tmp_path, "import bg_changelog_missing_dependency\n")
    destination, code, stderr = _new(tmp_path, site)
    assert code == 2, stderr[-3000:]
    assert stderr.strip().splitlines() == [
        "backendgen: error: plugin agent 'changelog' (bg_changelog:AGENT) failed to import: "
        "ModuleNotFoundError: No module named 'bg_changelog_missing_dependency'"
    ]
    assert not destination.exists()


def test_an_entry_point_that_is_not_an_agent_is_refused(tmp_path: Path) -> None:
    site = _plugin(tmp_path, target="bg_changelog:VERSION")
    destination, code, stderr = _new(tmp_path, site)
    assert code == 2, stderr[-3000:]
    assert "plugin agent 'changelog' is not a backendgen AgentDefinition" in stderr
    assert len(stderr.strip().splitlines()) == 1
    assert not destination.exists()
