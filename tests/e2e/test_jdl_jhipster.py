"""JHipster's own JDL test files, and the JDL as JHipster users write it (issue 10).

``tests/jdl_jhipster/`` holds JHipster's JDL test resources (Apache-2.0, see its README).
Every file imports, or is refused with one ``file:line:`` line (exit 2); none crashes. A fixed,
varied subset is generated through the CLI and the backend's own tests run.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backendgen.agents.core_backend import CoreBackendSpec
from backendgen.agents.monitoring_observability.blueprint import monitoring_blueprint
from backendgen.agents.testing_qa import blueprint as testing_blueprints
from backendgen.domain.naming import GENERATED_MODULE_NAMES, PASCAL_CASE, snake
from backendgen.errors import UserInputError
from backendgen.questions.domain import load_yaml_domain
from backendgen.questions.domain_input import load_domain_input
from backendgen.questions.jdl import load_jdl
from tests.helpers import run_backendgen, run_project_tests

HERE = Path(__file__).parents[1]
FILES = sorted((HERE / "jdl_jhipster").glob("*.jdl"))
TEMPLATE = HERE.parent / "templates" / "backend"

REFUSED: dict[str, str] = {
    "applications.jdl": "choose one with --application",
    "applications2.jdl": "choose one with --application",
    "applications3.jdl": "choose one with --application",
    "applications_with_and_without_entities.jdl": "choose one with --application",
    "integration_file2.jdl": "choose one with --application",
    "realistic_sample.jdl": "choose one with --application",
    "cassandra_jdl.jdl": "unknown type 'Date'",
    "cassandra_with_relationships.jdl": "unknown type 'Date'",
    "constants.jdl": "minbytes does not apply to a TextBlob field",
    "non_existent_validation.jdl": "min does not apply to a String field; use minlength",
    "invalid_field_type.jdl": "unknown type 'NullPointerException'",
    "deployments.jdl": "no entities and no application",
    "lint_duplicate_entities.jdl": "duplicate entity 'A'",
    "lint_duplicate_enums.jdl": "duplicate enum 'A'",
    "lint_duplicate_fields.jdl": "duplicate field 'aa'",
    "unexistent_entities_for_relationship.jdl": "unknown entity 'B'",
}
"""The files JHipster itself rejects (or that need ``--application``), with the reason."""


def test_the_sample_is_complete() -> None:
    assert len(FILES) >= 70
    assert {"big_sample.jdl", "realistic_sample.jdl", "field_comments.jdl"} <= {
        p.name for p in FILES
    }
    assert (HERE / "jdl_jhipster" / "LICENSE.txt").is_file()


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_jhipster_file_imports_or_is_refused_with_file_and_line(path: Path) -> None:
    try:
        domain_input = load_domain_input(path)
    except UserInputError as error:
        message = str(error)
        assert path.name in REFUSED, message
        assert REFUSED[path.name] in message
        assert re.match(rf"^{re.escape(str(path))}:\d+: ", message), message
        assert "\n" not in message
        return
    assert path.name not in REFUSED, f"{path.name} should be refused"
    domain_input.domain.check_references()
    assert all(re.match(r"^.+:\d+: \S", w) for w in domain_input.warnings)


def _write(tmp_path: Path, text: str, name: str = "model.jdl") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_an_entity_without_fields_is_an_id_plus_its_relationships(tmp_path: Path) -> None:
    path = _write(tmp_path, "entity A\nentity B {}\nrelationship ManyToOne { A{b} to B }\n")
    domain, _, _ = load_jdl(path)
    by_name = {e.name: e for e in domain.entities}
    assert by_name["A"].fields == []
    assert [r.target for r in by_name["A"].relationships] == ["B"]
    assert by_name["B"].fields == []
    assert by_name["B"].relationships == []


def test_authority_maps_to_roles_and_user_to_the_users_table(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "entity A { x String }\nentity Authority {}\n"
        "relationship ManyToOne {\n  A{authority} to Authority\n  A{user} to User\n}\n",
    )
    domain, _, warnings = load_jdl(path)
    assert [e.name for e in domain.entities] == ["A"]
    assert [(r.name, r.target, r.column) for r in domain.entities[0].relationships] == [
        ("user", "User", "user_id")
    ]
    assert any(w.startswith(f"{path}:4: ") and "roles" in w for w in warnings)
    assert any(
        w.startswith(f"{path}:5: ") and "'user_id' references users.id" in w for w in warnings
    )
    assert any(w.startswith(f"{path}:2: ") and "built-in Authority" in w for w in warnings)


def test_every_kind_of_user_relationship_maps_onto_the_users_table(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "entity A\nentity B\nentity C\nentity D\n"
        "relationship OneToMany {\n  User{a} to A{owner required}\n}\n"
        "relationship OneToOne {\n  B{account} to User with builtInEntity\n}\n"
        "relationship ManyToMany {\n  C{members} to User\n}\n"
        "relationship ManyToOne {\n  User{d} to D\n}\n",
    )
    domain, _, warnings = load_jdl(path)
    refs = {(e.name, r.name, r.target, r.kind, r.required) for e in domain.entities
            for r in e.relationships}  # fmt: skip
    assert refs == {
        ("A", "owner", "User", "many_to_one", True),
        ("B", "account", "User", "one_to_one", False),
        ("CMembers", "c", "C", "many_to_one", True),
        ("CMembers", "members", "User", "many_to_one", True),
    }
    # the users table takes no columns: a key on User is skipped, with file:line and the fix
    assert [w for w in warnings if "takes no new columns" in w] == [
        f"{path}:15: ManyToOne User to D: the built-in User is the backend's own users table "
        "(security/models.py), which takes no new columns: reference skipped; declare it from "
        "the other side, e.g. 'ManyToOne D{user} to User' (docs/jdl.md)"
    ]


def test_entities_leading_to_user_are_owned_by_the_least_privileged_role(
    tmp_path: Path,
) -> None:
    from backendgen.agents.blueprints.context import BlueprintInput
    from backendgen.agents.security_compliance import SecurityComplianceSpec
    from backendgen.agents.security_compliance.blueprint import security_blueprint
    from tests.helpers import SHOP_ANSWERS

    path = _write(
        tmp_path,
        "entity Note { title String }\nentity Line { text String }\nentity Tag\n"
        "relationship ManyToOne {\n  Note{owner required} to User\n"
        "  Line{note required} to Note\n}\n",
    )
    domain, _, _ = load_jdl(path)
    core = CoreBackendSpec(entities=domain.entities, enums=domain.enums)
    source = BlueprintInput(answers=SHOP_ANSWERS, domain=domain, upstream={"core_backend": core})
    spec = security_blueprint(source)
    assert [
        (s.role, s.principal, [(o.entity, o.via) for o in s.owned]) for s in spec.row_scopes
    ] == [("viewer", "User", [("Note", ["owner"]), ("Line", ["note", "owner"])])]
    dumped = spec.model_dump()
    dumped["row_scopes"][0]["owned"][0]["via"] = ["title"]  # a path that does not reach User
    with pytest.raises(ValueError, match="'Note' has no relationship 'title'"):
        SecurityComplianceSpec.model_validate(dumped, context={"core_backend": core})


def test_an_application_only_file_gives_the_skeleton_with_one_warning(tmp_path: Path) -> None:
    path = _write(tmp_path, "application {\n  config { baseName shop }\n}\n")
    domain, answers, warnings = load_jdl(path)
    assert domain.entities == []
    assert answers["project_name"] == "shop"
    assert [w for w in warnings if "declares no entities" in w] == [
        f"{path}:1: declares no entities: generating the application skeleton "
        "(users and auth, health, metrics, infrastructure, docs)"
    ]


MULTI = """application {
  config { baseName store }
  entities A, B
}
application {
  config { baseName billing }
  entities * except A, B
}
application {
  config { baseName mail }
}
entity A { x String }
entity B { y String }
entity C { z String }
entity D { w String }
microservice D with mail
relationship ManyToOne { B{a} to A, C{a} to A }
"""


def test_a_multi_application_file_needs_application(tmp_path: Path) -> None:
    path = _write(tmp_path, MULTI)
    with pytest.raises(UserInputError, match=r":5: 3 applications \(store, billing, mail\)"):
        load_jdl(path)
    with pytest.raises(UserInputError, match=r"no application 'nope' \(applications: store"):
        load_jdl(path, "nope")


@pytest.mark.parametrize(
    ("application", "entities"),
    [("store", ["A", "B"]), ("billing", ["C", "D"]), ("mail", ["D"])],
)
def test_application_picks_the_entities_it_lists(
    tmp_path: Path, application: str, entities: list[str]
) -> None:
    domain, answers, warnings = load_jdl(_write(tmp_path, MULTI), application)
    assert [e.name for e in domain.entities] == entities
    assert answers["project_name"] == application
    if application == "billing":  # C{a} to A crosses applications: skipped with a warning
        assert any("'A' belongs to another application" in w for w in warnings)


@pytest.mark.parametrize(
    ("name", "renamed"),
    [
        ("Health", "AppHealth"),
        ("Common", "AppCommon"),
        ("Crud", "AppCrud"),
        ("Deps", "AppDeps"),
        ("Errors", "AppErrors"),
        ("TestEntity", "AppTestEntity"),
        ("Testimonial", "AppTestimonial"),
    ],
)
def test_names_that_break_the_output_are_renamed_in_jdl_and_yaml(
    tmp_path: Path, name: str, renamed: str
) -> None:
    domain, _, warnings = load_jdl(_write(tmp_path, f"entity {name} {{ x String }}\n"))
    assert [e.name for e in domain.entities] == [renamed]
    assert any(f"renamed to '{renamed}'" in w for w in warnings)
    yaml_file = tmp_path / "domain.yml"
    yaml_file.write_text(
        f"entities:\n  - name: {name}\n    fields: [{{name: x, type: integer}}]\n",
        encoding="utf-8",
    )
    yaml_domain, yaml_warnings = load_yaml_domain(yaml_file)
    assert [e.name for e in yaml_domain.entities] == [renamed]
    assert yaml_warnings


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("entity A {\n  x String min(1)\n}", ":2: A.x: min does not apply to a String field"),
        ("entity A {\n  x TextBlob minbytes(1)\n}", ":2: A.x: minbytes does not apply"),
        ("entity A {\n  x Integer minlength(1)\n}", ":2: A.x: minlength does not apply"),
        ("entity A {\n  x Boolean pattern(/a/)\n}", ":2: A.x: pattern does not apply"),
    ],
)
def test_validations_that_do_not_apply_are_refused(
    tmp_path: Path, source: str, fragment: str
) -> None:
    with pytest.raises(UserInputError, match=re.escape(fragment)):
        load_jdl(_write(tmp_path, source))


_NAME = st.from_regex(r"[A-Z][a-z]{1,6}([A-Z][a-z]{1,6}){0,7}", fullmatch=True)


@settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(names=st.lists(_NAME, min_size=1, max_size=4, unique=True))
def test_generated_names_never_break_the_output(tmp_path: Path, names: list[str]) -> None:
    """Any PascalCase names: the import succeeds or refuses with file:line, never crashes."""
    source = "".join(f"entity {n} {{ label String }}\n" for n in names)
    if len(names) > 1:
        source += f"relationship ManyToOne {{ {names[0]}{{other}} to {names[1]} }}\n"
    path = _write(tmp_path, source)
    try:
        domain, _, _ = load_jdl(path)
    except UserInputError as error:
        refusal = str(error)
    else:
        refusal = ""
    if refusal:
        assert re.match(rf"^{re.escape(str(path))}:\d+: ", refusal), refusal
        return
    core = CoreBackendSpec(entities=domain.entities, enums=domain.enums)
    modules = [snake(e.name) for e in core.entities]
    assert len(set(modules)) == len(modules)
    for entity in core.entities:
        assert PASCAL_CASE.match(entity.name)
        assert not entity.name.startswith("Test")
        assert entity.module not in GENERATED_MODULE_NAMES
        assert len(entity.table) <= 63
    _blueprints_accept(core)


def _blueprints_accept(core: CoreBackendSpec) -> None:
    """The derived names (SLOs, scenarios) of the blueprints fit their specs."""
    from backendgen.agents.blueprints.context import BlueprintInput
    from backendgen.questions.domain import DomainSpec
    from tests.helpers import SHOP_ANSWERS

    source = BlueprintInput(
        answers=SHOP_ANSWERS,
        domain=DomainSpec(entities=core.entities),
        upstream={"core_backend": core},
    )
    monitoring_blueprint(source)
    testing_blueprints.testing_blueprint(source)


def test_the_module_names_the_renderer_emits_are_all_reserved() -> None:
    """Every skeleton module beside the per-entity ones is in GENERATED_MODULE_NAMES."""
    emitted: set[str] = set()
    for package in ("models", "schemas", "services", "controllers"):
        for path in (TEMPLATE / "core" / package).iterdir():
            stem = path.name.removesuffix(".jinja").removesuffix(".py")
            if "{" not in path.name and stem != "__init__":
                emitted.add(stem)
    assert emitted <= GENERATED_MODULE_NAMES


SUBSET: list[tuple[str, list[str]]] = [
    # the built-in User (one-to-one, many-to-one, many-to-many, owned rows), fieldless entities
    ("sample_user-relationships.jdl", []),
    ("field_comments.jdl", []),  # TestEntity: renamed off pytest's Test* classes
    ("application.jdl", []),  # application only: the skeleton
    ("applications_with_and_without_entities.jdl", ["--application", "app2"]),  # fieldless
    ("mutual.jdl", []),  # the Employee and Department, referencing each other
]
"""The varied subset whose generated backends run their own tests (about a minute each)."""

MUTUAL = """entity Employee { name String }
entity Department { title String }
relationship ManyToOne {
  Employee{department} to Department
  Department{manager} to Employee
}
"""


@pytest.mark.slow
@pytest.mark.parametrize(("name", "extra"), SUBSET, ids=[n for n, _ in SUBSET])
def test_subset_generates_backends_that_pass_their_tests(
    tmp_path: Path, name: str, extra: list[str]
) -> None:
    source = HERE / "jdl_jhipster" / name
    if name == "mutual.jdl":
        source = _write(tmp_path, MUTUAL, name)
    project = tmp_path / "backend"
    done = run_backendgen("new", str(project), "--defaults", "--domain", str(source), *extra)
    assert done.returncode == 0, done.stderr[-3000:]
    tests = run_project_tests(project)
    assert tests.returncode == 0, tests.stdout[-6000:] + tests.stderr[-3000:]
    assert " passed" in tests.stdout
    assert "skipped" not in tests.stdout, tests.stdout[-3000:]


def test_a_multi_application_file_without_application_exits_2(tmp_path: Path) -> None:
    project = tmp_path / "backend"
    path = HERE / "jdl_jhipster" / "applications_with_and_without_entities.jdl"
    done = run_backendgen("new", str(project), "--defaults", "--domain", str(path))
    assert done.returncode == 2, done.stderr
    assert re.search(rf"{re.escape(str(path))}:\d+: 2 applications \(app1, app2\)", done.stderr)
    assert not project.exists()


def test_long_names_are_shortened_or_refused_never_a_traceback(tmp_path: Path) -> None:
    long_entity = _write(tmp_path, "entity AnExtremelyLongEntityNameForLimits { name String }\n")
    domain, _, _ = load_jdl(long_entity)
    _blueprints_accept(
        CoreBackendSpec(entities=domain.entities, enums=domain.enums)
    )  # the SLO and scenario names are shortened
    too_long = "Ab" * 24  # 48 characters, its table ab_ab_..._abs is 72
    path = _write(
        tmp_path,
        f"entity {too_long} {{ x String }}\nentity B {{ y String }}\n"
        f"relationship ManyToOne {{ B{{ref}} to {too_long} }}\n",
        "long.jdl",
    )
    with pytest.raises(UserInputError, match=rf"^{re.escape(str(path))}:1: "):
        load_jdl(path)


def test_required_mutual_references_are_refused(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "entity A { x String }\nentity B { y String }\n"
        "relationship ManyToOne {\n  A{b required} to B\n  B{a required} to A\n}\n",
    )
    with pytest.raises(UserInputError, match=r"required references form a cycle"):
        load_jdl(path)


_TRICKY = st.sampled_from(
    ["Health", "Common", "Crud", "Deps", "Errors", "Enums", "TestRun", "Testimonial", "User"]
)


@pytest.mark.slow
@settings(
    max_examples=3,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    names=st.lists(_TRICKY | _NAME, min_size=2, max_size=3, unique_by=snake),
)
def test_yaml_names_render_a_project_that_parses_and_collects(
    tmp_path: Path, names: list[str]
) -> None:
    """A YAML domain with any such names renders Python that compiles and tests that collect."""
    root = Path(tempfile.mkdtemp(dir=tmp_path))
    entities = [
        {
            "name": name,
            "fields": [{"name": "label", "type": "string", "max_length": 40}],
            "relationships": (
                [{"name": "other", "target": names[1], "required": False}] if not index else []
            ),
        }
        for index, name in enumerate(names)
    ]
    domain = root / "domain.yml"
    domain.write_text(yaml.safe_dump({"entities": entities}), encoding="utf-8")
    project = root / "backend"
    done = run_backendgen("new", str(project), "--defaults", "--domain", str(domain))
    assert done.returncode == 0, done.stderr[-3000:]
    for module in project.rglob("*.py"):
        compile(module.read_text(encoding="utf-8"), str(module), "exec")
    collected = run_project_tests(project, "--collect-only")
    assert collected.returncode == 0, collected.stdout[-3000:] + collected.stderr[-2000:]
    assert " collected" in collected.stdout or "tests collected" in collected.stdout
