"""`backendgen regenerate`: one agent re-runs as one commit, safely.

Safely: a conflicting edit commits nothing (exit 3, markers left for the user), a clean edit
merges, an unchanged spec makes no commit, the declared domain is kept, and only the
downstream agents whose inputs changed re-run.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import git
import yaml

from backendgen.agents.registry import AGENTS
from backendgen.generator.cascade import context_digest
from backendgen.questions.domain import load_catalogue_domain
from tests.helpers import run, run_backendgen

NEW_REQUIREMENTS = "Orders must ship within 24 hours"


def _answers(project: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((project / ".copier-answers.yml").read_text())
    return loaded


def _copy(generated_projects: dict[str, Path], tmp_path: Path, name: str = "defaults") -> Path:
    project = tmp_path / "service"
    shutil.copytree(generated_projects[name], project)
    return project


def _commit_edit(repo: git.Repo, message: str) -> str:
    repo.git.commit("-qam", message)
    return repo.head.commit.hexsha


def _agents_since(repo: git.Repo, since: str) -> list[str]:
    return [
        c.trailers_dict["Backendgen-Agent"][0]
        for c in repo.iter_commits(f"{since}..HEAD", reverse=True)
    ]


def test_regenerate_documentation_with_new_requirements(
    generated_projects: dict[str, Path], tmp_path: Path
) -> None:
    project = _copy(generated_projects, tmp_path)
    repo = git.Repo(project)
    before = repo.head.commit.hexsha
    done = run_backendgen(
        "regenerate", str(project), "--agent", "documentation", "--requirements", NEW_REQUIREMENTS
    )
    assert done.returncode == 0, done.stderr
    assert _agents_since(repo, before) == ["documentation"]  # nothing downstream of it
    answers = _answers(project)
    assert answers["requirements"] == NEW_REQUIREMENTS
    assert NEW_REQUIREMENTS in answers["slot_documentation"]["overview"]
    assert "downstream re-ran: none" in done.stdout
    assert not repo.is_dirty(untracked_files=True)


def test_regenerate_refuses_bad_input(generated_projects: dict[str, Path], tmp_path: Path) -> None:
    project = _copy(generated_projects, tmp_path)
    unknown = run_backendgen("regenerate", str(project), "--agent", "poet")
    assert unknown.returncode == 2
    assert "unknown agent 'poet'" in unknown.stderr
    (project / "scratch.txt").write_text("work in progress")
    dirty = run_backendgen("regenerate", str(project), "--agent", "documentation")
    assert dirty.returncode == 2
    assert "uncommitted changes" in dirty.stderr
    not_a_project = run_backendgen("regenerate", str(tmp_path), "--agent", "documentation")
    assert not_a_project.returncode == 2
    assert len(not_a_project.stderr.strip().splitlines()) == 1


def _overview_line(project: Path) -> int:
    """The index of the README line the documentation overview is rendered on."""
    overview = _answers(project)["slot_documentation"]["overview"]
    lines = (project / "README.md").read_text().splitlines()
    return next(i for i, line in enumerate(lines) if line.startswith(overview[:60]))


def test_conflicting_edit_commits_nothing_and_leaves_markers(
    generated_projects: dict[str, Path], tmp_path: Path
) -> None:
    project = _copy(generated_projects, tmp_path)
    repo = git.Repo(project)
    readme = project / "README.md"
    lines = readme.read_text().splitlines(keepends=True)
    index = _overview_line(project)
    lines[index] = lines[index].rstrip("\n") + " Owned by the payments squad.\n"
    readme.write_text("".join(lines))  # on the very line the new requirements rewrite
    edited = _commit_edit(repo, "docs: name the owning team")
    done = run_backendgen(
        "regenerate", str(project), "--agent", "documentation", "--requirements", "Ship in 24h"
    )
    assert run(["git", "grep", "-n", "<<<<<<<", "HEAD"], cwd=project).stdout == ""
    assert repo.head.commit.hexsha == edited  # nothing committed
    assert done.returncode == 3, done.stdout + done.stderr
    assert "conflict: README.md" in done.stderr
    assert "git commit -a -F .git/BACKENDGEN_MSG" in done.stderr
    text = readme.read_text()
    assert "<<<<<<< before updating" in text
    assert ">>>>>>> after updating" in text
    message = (project / ".git" / "BACKENDGEN_MSG").read_text()
    assert message.startswith("feat(docs): documentation slot from blueprint\n")
    assert "Backendgen-Agent: documentation" in message
    # The next step works: resolve (keep both sentences), then commit with the message.
    resolved = re.sub(
        r"<<<<<<< before updating\n(.*?)\n(?:\|\|\|\|\|\|\| .*?)?=======\n(.*?)\n>>>>>>> after "
        r"updating\n",
        lambda m: m.group(2) + " Owned by the payments squad.\n",
        text,
        flags=re.S,
    )
    readme.write_text(resolved)
    repo.git.commit("-a", "-F", ".git/BACKENDGEN_MSG")
    assert repo.head.commit.trailers_dict["Backendgen-Agent"] == ["documentation"]
    assert "Ship in 24h" in _answers(project)["slot_documentation"]["overview"]
    assert not repo.is_dirty(untracked_files=True)


def test_edit_elsewhere_merges_cleanly(generated_projects: dict[str, Path], tmp_path: Path) -> None:
    project = _copy(generated_projects, tmp_path)
    repo = git.Repo(project)
    readme = project / "README.md"
    lines = readme.read_text().splitlines(keepends=True)
    lines.insert(1, "Team note: owned by the payments squad.\n")  # under the title
    readme.write_text("".join(lines))
    edited = _commit_edit(repo, "docs: team note")
    done = run_backendgen(
        "regenerate", str(project), "--agent", "documentation", "--requirements", "Ship in 24h"
    )
    assert done.returncode == 0, done.stderr
    assert _agents_since(repo, edited) == ["documentation"]
    committed = repo.git.show("HEAD:README.md")
    assert "Team note: owned by the payments squad." in committed
    assert "Requirements: Ship in 24h" in committed
    grep = run(["git", "grep", "-n", "<<<<<<<", "HEAD"], cwd=project)
    assert grep.returncode == 1
    assert grep.stdout == ""
    assert not repo.is_dirty(untracked_files=True)


def test_unchanged_spec_makes_no_commit(
    generated_projects: dict[str, Path], tmp_path: Path
) -> None:
    project = _copy(generated_projects, tmp_path)
    repo = git.Repo(project)
    before = repo.head.commit.hexsha
    done = run_backendgen("regenerate", str(project), "--agent", "security_compliance")
    assert done.returncode == 0, done.stderr
    assert repo.head.commit.hexsha == before
    assert "nothing to regenerate" in done.stdout
    assert not repo.is_dirty(untracked_files=True)


LIBRARY = {
    "title": "Library",
    "entities": [
        {
            "name": "Member",
            "fields": [
                {"name": "email", "type": "email", "max_length": 120, "unique": True, "pii": True},
                {"name": "full_name", "type": "string", "max_length": 100, "pii": True},
            ],
        },
        {
            "name": "Loan",
            "fields": [{"name": "due_on", "type": "date"}],
            "relationships": [{"name": "member", "target": "Member"}],
        },
    ],
    "roles": [
        {"name": "librarian", "permissions": {"*": ["create", "read", "update", "delete"]}},
        {"name": "patron", "permissions": {"Loan": ["read"]}},
    ],
    "retention": {"Loan": 30},
}


def _roles_and_loan_retention(security: dict[str, Any]) -> tuple[list[str], list[int]]:
    roles = [role["name"] for role in security["roles"]]
    days = [r["days"] for r in security["retention"] if r["entity"] == "Loan"]
    return roles, days


def test_yaml_domain_survives_regenerating_security(tmp_path: Path) -> None:
    domain_file = tmp_path / "library.yml"
    domain_file.write_text(yaml.safe_dump(LIBRARY))
    project = tmp_path / "library"
    made = run_backendgen("new", str(project), "--domain", str(domain_file), "--defaults")
    assert made.returncode == 0, made.stderr
    generated = _answers(project)["slot_security_compliance"]
    # The domain's roles, then the auditor the blueprint adds for the default regime (gdpr),
    # as the domain names no audit reader of its own.
    roles = ["librarian", "patron", "auditor"]
    assert generated["audit_readers"] == ["auditor"]
    assert _roles_and_loan_retention(generated) == (roles, [30])
    repo = git.Repo(project)
    before = repo.head.commit.hexsha
    done = run_backendgen(
        "regenerate", str(project), "--agent", "security_compliance", "--requirements", "Audit"
    )
    assert done.returncode == 0, done.stderr
    assert _agents_since(repo, before) == ["security_compliance"]
    answers = _answers(project)
    assert answers["requirements"] == "Audit"
    assert _roles_and_loan_retention(answers["slot_security_compliance"]) == (roles, [30])
    assert answers["domain_spec"]["roles"][1]["name"] == "patron"


def test_catalogue_domain_is_recorded_and_its_absence_warns(
    generated_projects: dict[str, Path], tmp_path: Path
) -> None:
    project = _copy(generated_projects, tmp_path)
    expected = load_catalogue_domain("ecommerce").model_dump(mode="json")
    assert _answers(project)["domain_spec"] == expected
    answers_file = project / ".copier-answers.yml"
    text = answers_file.read_text()
    start = text.index("domain_spec:")
    end = text.index("\n", text.index("\n", start) + 1)
    while text[end + 1 : end + 3] == "  ":  # the mapping's indented lines
        end = text.index("\n", end + 1)
    answers_file.write_text(text[:start] + text[end + 1 :])  # as an older backendgen wrote it
    assert "domain_spec" not in _answers(project)
    _commit_edit(git.Repo(project), "chore: answers of an older backendgen")
    done = run_backendgen(
        "regenerate", str(project), "--agent", "documentation", "--requirements", "Ship in 24h"
    )
    assert done.returncode == 0, done.stderr
    assert "warning: this project records no 'domain_spec'" in done.stderr
    assert "catalogue domain 'ecommerce'" in done.stderr


def test_core_with_new_requirements_reruns_only_agents_whose_inputs_changed(
    generated_projects: dict[str, Path], tmp_path: Path
) -> None:
    project = _copy(generated_projects, tmp_path)
    repo = git.Repo(project)
    before = repo.head.commit.hexsha
    old = _answers(project)
    done = run_backendgen(
        "regenerate", str(project), "--agent", "core_backend", "--requirements", NEW_REQUIREMENTS
    )
    assert done.returncode == 0, done.stderr
    # The core blueprint ignores requirements; documentation reads them; the rest read neither.
    assert _agents_since(repo, before) == ["core_backend", "documentation"]
    assert "downstream re-ran: documentation" in done.stdout
    kept = ["security_compliance", "devops_infrastructure", "monitoring_observability"]
    assert f"downstream kept (inputs unchanged): {', '.join([*kept, 'testing_qa'])}" in done.stdout
    new = _answers(project)
    for name in [*kept, "testing_qa", "core_backend"]:
        assert new[f"slot_{name}"] == old[f"slot_{name}"], name
    assert NEW_REQUIREMENTS in new["slot_documentation"]["overview"]
    assert NEW_REQUIREMENTS not in old["slot_documentation"]["overview"]


def test_context_digest_moves_with_each_input_the_agent_reads() -> None:
    agents = {agent.name: agent for agent in AGENTS}
    answers = {"scale": "medium", "requirements": "", "auth": "jwt"}
    slots: dict[str, Any] = {name: {"x": 1} for name in agents}
    domain: dict[str, Any] = {"entities": []}
    docs, tests_agent = agents["documentation"], agents["testing_qa"]
    base_docs = context_digest(docs, answers, slots, domain)
    base_tests = context_digest(tests_agent, answers, slots, domain)
    monitoring_changed = {**slots, "monitoring_observability": {"x": 2}}
    assert context_digest(docs, answers, monitoring_changed, domain) != base_docs
    assert context_digest(tests_agent, answers, monitoring_changed, domain) == base_tests
    security_changed = {**slots, "security_compliance": {"x": 2}}
    assert context_digest(docs, answers, security_changed, domain) == base_docs
    new_requirements = {**answers, "requirements": "fast"}
    assert context_digest(docs, new_requirements, slots, domain) != base_docs
    assert context_digest(tests_agent, new_requirements, slots, domain) == base_tests
    assert context_digest(tests_agent, {**answers, "scale": "large"}, slots, domain) != base_tests
    assert context_digest(tests_agent, answers, slots, {"entities": [1]}) != base_tests
