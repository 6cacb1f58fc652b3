"""The JDL importer: the real-world corpus, the mapping rules, and every error kind."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from backendgen.agents.core_backend import CoreBackendSpec, EntitySpec, FieldSpec
from backendgen.domain.naming import SNAKE_CASE, UPPER_SNAKE_CASE
from backendgen.errors import UserInputError
from backendgen.questions.domain import DomainSpec
from backendgen.questions.domain_input import load_domain_file, load_domain_input
from backendgen.questions.jdl import RESERVED_FIELD_NAMES, load_jdl, parse_jdl

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "jdl"
CORPUS_FILES = sorted(
    p for p in (CORPUS.iterdir() if CORPUS.is_dir() else []) if p.suffix in (".jdl", ".jh")
)
# A missing corpus must fail, not skip: an empty parameter list would skip silently.
CORPUS_PARAMS = CORPUS_FILES or [CORPUS / "corpus-missing.jdl"]
WARNING_LINE = re.compile(r"^.+:\d+: \S.*$")


def _entity(domain: DomainSpec, name: str) -> EntitySpec:
    found = [e for e in domain.entities if e.name == name]
    assert len(found) == 1, f"expected one entity {name}"
    return found[0]


def _field(entity: EntitySpec, name: str) -> FieldSpec:
    found = [f for f in entity.fields if f.name == name]
    assert len(found) == 1, f"expected one field {entity.name}.{name}"
    return found[0]


def _load(
    tmp_path: Path, text: str, name: str = "model.jdl"
) -> tuple[DomainSpec, dict[str, str], list[str]]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_jdl(path)


def _error(tmp_path: Path, text: str) -> str:
    path = tmp_path / "bad.jdl"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UserInputError) as caught:
        load_jdl(path)
    message = str(caught.value)
    assert "\n" not in message
    return message


# ---------------------------------------------------------------------------------------------
# The corpus


def test_corpus_has_all_22_files() -> None:
    assert CORPUS.is_dir(), f"JDL corpus missing at {CORPUS}"
    assert len(CORPUS_FILES) == 22


@pytest.mark.parametrize("path", CORPUS_PARAMS, ids=lambda p: p.name)
def test_corpus_file_imports(path: Path) -> None:
    document = parse_jdl(path.read_text(encoding="utf-8"), str(path))
    if not document.entities:
        # Application-only files (default.jdl): the skeleton, with one warning.
        assert document.applications
        domain, _, warnings = load_jdl(path)
        assert domain.entities == []
        assert any("declares no entities" in w for w in warnings)
        return
    if len(document.applications) > 1:
        # A microservice model: one backend per application, chosen with --application.
        with pytest.raises(UserInputError, match=r"choose one with --application"):
            load_jdl(path)
        names = [str(app.config["baseName"]) for app in document.applications]
        selected = [load_jdl(path, name) for name in names]
        owned = [{e.name for e in domain.entities} for domain, _, _ in selected]
        assert any(owned), f"no application of {path.name} owns an entity"
        domain, answers, warnings = selected[owned.index(max(owned, key=len))]
    else:
        domain, answers, warnings = load_jdl(path)
        many_to_many = [r for r in document.relationships if r.kind == "ManyToMany"]
        # Every declared entity, plus one link entity per many-to-many relationship.
        declared = {e.name for e in document.entities}
        assert len(domain.entities) == len(declared) + len(many_to_many)
    core = CoreBackendSpec(entities=domain.entities, enums=domain.enums)
    assert set(answers) <= {"project_name", "database", "auth"}
    for warning in warnings:
        assert warning.startswith(f"{path}:")
        assert WARNING_LINE.match(warning)
    for entity in core.entities:
        for field in entity.fields:
            assert SNAKE_CASE.match(field.name)
            assert field.name not in RESERVED_FIELD_NAMES
            if field.pattern is not None:
                re.compile(field.pattern)
    for enum in core.enums:
        assert all(UPPER_SNAKE_CASE.match(v) for v in enum.values)


def test_library_constants_validations_and_one_to_one() -> None:
    domain, answers, warnings = load_jdl(CORPUS / "library.jh")
    assert sorted(e.name for e in domain.entities) == [
        "Author",
        "Book",
        "BookAuthor",  # the link entity of ManyToMany Book{author} to Author
        "BorrowedBook",
        "Client",
        "Publisher",
    ]
    assert domain.enums == []
    book = _entity(domain, "Book")
    isbn = _field(book, "isbn")
    assert (isbn.type, isbn.required, isbn.unique) == ("string", True, True)
    assert (isbn.min_length, isbn.max_length) == (5, 13)
    publish_year = _field(book, "publish_year")  # DEFAULT_MIN_LENGTH = 4, DEFAULT_MAX_LENGTH = 50
    assert (publish_year.min_length, publish_year.max_length) == (4, 50)
    assert _field(book, "copies").type == "integer"
    assert _field(book, "cover").type == "text"
    assert "base64" in _field(book, "cover").description.lower()
    email = _field(_entity(domain, "Client"), "email")
    assert (email.unique, email.required, email.max_length) == (True, False, 50)
    assert [(r.name, r.target, r.kind) for r in book.relationships] == [
        ("publisher", "Publisher", "one_to_one"),
    ]
    borrowed = _entity(domain, "BorrowedBook")
    assert {(r.name, r.target, r.kind) for r in borrowed.relationships} == {
        ("book", "Book", "one_to_one"),
        ("client", "Client", "one_to_one"),
    }
    assert answers == {"project_name": "library", "database": "postgresql", "auth": "jwt"}
    link = _entity(domain, "BookAuthor")
    assert [(r.name, r.target, r.kind, r.required) for r in link.relationships] == [
        ("book", "Book", "many_to_one", True),
        ("author", "Author", "many_to_one", True),
    ]
    assert [(f.name, f.type, f.required) for f in link.fields] == [("sort_order", "integer", False)]
    assert any(
        "ManyToMany Book to Author mapped to the link entity 'BookAuthor'" in w for w in warnings
    )
    assert any("option 'filter' ignored" in w for w in warnings)


def test_21_points_enum_bounds_and_builtin_user() -> None:
    domain, answers, warnings = load_jdl(CORPUS / "21-points.jh")
    assert len(domain.entities) == 4
    assert [(e.name, e.values) for e in domain.enums] == [("Units", ["KG", "LB"])]
    preferences = _entity(domain, "Preferences")
    goal = _field(preferences, "weekly_goal")
    assert (goal.type, goal.required, goal.minimum, goal.maximum) == ("integer", True, 10, 21)
    units = _field(preferences, "weight_units")
    assert (units.type, units.enum, units.required) == ("enum", "Units", True)
    notes = _field(_entity(domain, "Points"), "notes")
    assert (notes.max_length, notes.required) == (140, False)
    assert _field(_entity(domain, "Points"), "date_value").type == "date"
    # all four point at the built-in User: a reference to the users table (issue 10)
    references = {
        (e.name, r.name, r.target, r.kind) for e in domain.entities for r in e.relationships
    }
    assert references == {
        ("BloodPressure", "user", "User", "many_to_one"),
        ("Weight", "user", "User", "many_to_one"),
        ("Points", "user", "User", "many_to_one"),
        ("Preferences", "user", "User", "one_to_one"),
    }
    assert sum("'user_id' references users.id" in w for w in warnings) == 4
    assert answers == {"project_name": "HealthPoints", "database": "postgresql", "auth": "jwt"}
    assert any("authenticationType 'oauth2' mapped to 'jwt'" in w for w in warnings)
    assert any("Points.date renamed to 'date_value'" in w for w in warnings)


def test_bug_tracker_enums_and_one_to_many_without_names() -> None:
    domain, answers, _ = load_jdl(CORPUS / "bug-tracker.jdl")
    assert len(domain.entities) == 6  # five declared, and TicketLabel for Ticket{label} to Label
    assert [r.target for r in _entity(domain, "TicketLabel").relationships] == ["Ticket", "Label"]
    status = next(e for e in domain.enums if e.name == "Status")
    assert len(status.values) == 10
    assert "WONT_IMPLEMENT" in status.values
    assert "Won't Implement" in status.description
    ticket = _entity(domain, "Ticket")
    assert _field(ticket, "type_value").enum == "Type"
    assert [(r.name, r.target, r.kind) for r in ticket.relationships] == [
        ("project", "Project", "many_to_one"),
        ("assigned_to", "User", "many_to_one"),  # the built-in User: the users table
        ("reported_by", "User", "many_to_one"),
    ]
    # "Ticket to Attachment" (OneToMany, no field names): the key lives on Attachment.
    attachment = _entity(domain, "Attachment")
    assert [(r.name, r.target) for r in attachment.relationships] == [("ticket", "Ticket")]
    # "Comment{parent} to Comment{child}": the many side's field name is 'child'.
    comment = _entity(domain, "Comment")
    assert [(r.name, r.target) for r in comment.relationships] == [
        ("login", "User"),
        ("child", "Comment"),
    ]
    assert answers == {"database": "postgresql"}


def test_e_commerce_required_many_to_one_and_display_enum() -> None:
    domain, answers, warnings = load_jdl(CORPUS / "e-commerce-monolith.jdl")
    cart = _entity(domain, "ShoppingCart")
    assert [(r.name, r.target, r.required) for r in cart.relationships] == [
        ("customer_details", "CustomerDetails", True),
    ]
    product = _entity(domain, "Product")
    assert [(r.name, r.target, r.required) for r in product.relationships] == [
        ("product_category", "ProductCategory", True),
    ]
    price = _field(product, "price")
    assert (price.type, price.minimum) == ("decimal", 0)
    payment = next(e for e in domain.enums if e.name == "PaymentMethod")
    assert payment.values == ["CREDIT_CARD", "IDEAL"]
    assert answers["database"] == "postgresql"
    assert any("prodDatabaseType 'mysql' mapped to 'postgresql'" in w for w in warnings)


def test_microservice_store_pattern_and_applications() -> None:
    path = CORPUS / "microservice-ecommerce-store.jdl"
    with pytest.raises(UserInputError, match=r"3 applications \(store, invoice, notification\)"):
        load_jdl(path)
    domain, answers, warnings = load_jdl(path, "store")
    email = _field(_entity(domain, "Customer"), "email")
    assert email.pattern == r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
    assert re.fullmatch(email.pattern, "ada@example.org")
    assert not re.fullmatch(email.pattern, "not an email")
    assert answers["project_name"] == "store"
    assert any("option 'microservice' mapped" in w for w in warnings)
    invoice, answers, _ = load_jdl(path, "invoice")
    assert [e.name for e in invoice.entities] == ["Invoice", "Shipment"]
    assert answers["project_name"] == "invoice"


def test_oracle_doc_comments_become_descriptions() -> None:
    domain, answers, _ = load_jdl(CORPUS / "Oracle-Human-Resources-sample.jdl")
    assert _entity(domain, "Location").description == "not an ignored comment"
    assert _entity(domain, "Region").description == ""
    assert _entity(domain, "Task").description.startswith("Task entity.")
    employee = _entity(domain, "Employee")
    assert employee.description == "The Employee entity."
    assert _field(employee, "first_name").description == "The firstname attribute."
    assert {(r.name, r.target) for r in employee.relationships} == {
        ("department", "Department"),
        ("manager", "Employee"),
    }
    assert [(r.name, r.target) for r in _entity(domain, "Job").relationships] == [
        ("employee", "Employee"),
    ]
    assert answers == {}


def test_northwind_drops_jdl_id_fields() -> None:
    path = CORPUS / "northwind-jdl.jh"
    domain, _, warnings = load_jdl(path)
    source = path.read_text(encoding="utf-8")
    declared_ids = len(re.findall(r"^\s*id\s+\w+", source, flags=re.MULTILINE))
    assert sum("dropped: every table has its own 'id'" in w for w in warnings) == declared_ids
    assert _field(_entity(domain, "SalesReport"), "group_by").required


def test_domain_loaders_dispatch_on_suffix() -> None:
    path = CORPUS / "space.jdl"
    domain = load_domain_file(path)
    assert {e.name for e in domain.entities} == {"SpaceEvent", "Mission"}
    loaded = load_domain_input(path)
    assert loaded.domain == domain
    assert loaded.answers == {"project_name": "space", "database": "postgresql", "auth": "jwt"}
    assert any("SpaceEvent.type renamed to 'type_value'" in w for w in loaded.warnings)


# ---------------------------------------------------------------------------------------------
# Mapping rules on small inputs


def test_types_validations_and_docs(tmp_path: Path) -> None:
    domain, _, warnings = _load(
        tmp_path,
        """
        LIMIT_VALUE = 3
        entity Sample {
          /** How many. */
          count Integer required min(-3) max(LIMIT_VALUE)
          label String minlength(2) pattern(/^[a-z\\/]+$/) /** Shown in lists. */
          body TextBlob
          due LocalDate
          seen ZonedDateTime
          at Instant
          took Duration
          token UUID required unique
          ratio Float
          amount BigDecimal
          flag Boolean
          big String maxlength(20000)
          raw AnyBlob maxbytes(10)
          max Integer
        }
        """,
    )
    sample = _entity(domain, "Sample")
    types = {f.name: f.type for f in sample.fields}
    assert types == {
        "count": "integer", "label": "string", "body": "text", "due": "date",
        "seen": "datetime", "at": "datetime", "took": "integer", "token": "uuid",
        "ratio": "decimal", "amount": "decimal", "flag": "boolean", "big": "text",
        "raw": "text", "max": "integer",
    }  # fmt: skip
    count = _field(sample, "count")
    assert (count.minimum, count.maximum, count.description) == (-3, 3, "How many.")
    label = _field(sample, "label")
    assert (label.min_length, label.max_length, label.pattern) == (2, 255, r"^[a-z/]+$")
    assert label.description == "Shown in lists."
    assert "seconds" in _field(sample, "took").description
    assert _field(sample, "token").unique
    assert any("maxbytes ignored (no byte limits on AnyBlob)" in w for w in warnings)
    assert any("maxlength above 10000, mapped to text" in w for w in warnings)


def test_reserved_names_are_renamed_with_warnings(tmp_path: Path) -> None:
    domain, _, warnings = _load(
        tmp_path,
        """
        entity User { login String }
        entity Purchase { order Integer, class String, id Long, createdAt Instant }
        relationship ManyToOne { Purchase{buyer} to User }
        """,
    )
    assert {e.name for e in domain.entities} == {"AppUser", "Purchase"}
    purchase = _entity(domain, "Purchase")
    assert [f.name for f in purchase.fields] == ["order_value", "class_value", "created_at_value"]
    assert [(r.name, r.target) for r in purchase.relationships] == [("buyer", "AppUser")]
    assert any("entity 'User' renamed to 'AppUser'" in w for w in warnings)
    assert any("Purchase.order renamed to 'order_value'" in w for w in warnings)
    assert any("Purchase.id dropped" in w for w in warnings)


def test_skipped_relationships_and_options(tmp_path: Path) -> None:
    domain, _, warnings = _load(
        tmp_path,
        """
        entity Post { title String }
        entity Tag { name String }
        relationship ManyToMany { Post{tag(name)} to Tag{post} }
        relationship ManyToOne { Post{author(login)} to User with builtInEntity }
        dto * with mapstruct
        service all with serviceImpl except Tag
        paginate Post with infinite-scroll
        search Post with elasticsearch
        skipClient Tag
        skipServer Tag
        noFluentMethod *
        filter Post
        readOnly Tag
        angularSuffix * with mySuffix
        clientRootFolder Post with blog
        microservice Post, Tag with blog
        use mapstruct for Post
        deployment { deploymentType docker-compose, appsFolders [blog] }
        """,
    )
    author = _entity(domain, "Post").relationships  # the built-in User: the users table
    assert [(r.name, r.target, r.required) for r in author] == [("author", "User", False)]
    link = _entity(domain, "PostTag")
    assert [(r.name, r.target) for r in link.relationships] == [("post", "Post"), ("tag", "Tag")]
    text = "\n".join(warnings)
    assert "ManyToMany Post to Tag mapped to the link entity 'PostTag'" in text
    assert "ManyToOne Post to User: the built-in User is the backend's own users table" in text
    for option in ("dto", "service", "paginate", "search", "skipClient", "skipServer",
                   "noFluentMethod", "filter", "readOnly", "angularSuffix",
                   "clientRootFolder", "microservice"):  # fmt: skip
        assert f"option '{option}' " in text
    assert "deployment block ignored" in text
    lines = [int(w.split(":")[1]) for w in warnings]
    assert lines == sorted(lines)


def test_application_config_answers(tmp_path: Path) -> None:
    source = """
    application {
      config { baseName "9 my app!", prodDatabaseType h2Disk, authenticationType session,
               devDatabaseType h2Memory, languages [en, "fr"] }
      entities Thing
    }
    application { config { baseName other, databaseType mongodb } }
    entity Thing { name String }
    """
    path = tmp_path / "apps.jdl"
    path.write_text(source, encoding="utf-8")
    with pytest.raises(UserInputError, match=r"2 applications \(9 my app!, other\)"):
        load_jdl(path)
    domain, answers, warnings = load_jdl(path, "9 my app!")
    assert [e.name for e in domain.entities] == ["Thing"]
    assert answers == {"project_name": "my-app", "database": "sqlite", "auth": "jwt"}
    text = "\n".join(warnings)
    assert "application config ignored: devDatabaseType, languages" in text
    other, answers, warnings = load_jdl(path, "other")
    assert other.entities == []
    assert any("declares no entities" in w for w in warnings)
    _, answers, warnings = _load(
        tmp_path, "application { config { databaseType mongodb } }\nentity A { b String }"
    )
    assert answers == {}
    assert any("'mongodb' is not relational" in w for w in warnings)


def test_unusable_pattern_is_dropped(tmp_path: Path) -> None:
    domain, _, warnings = _load(tmp_path, "entity A { code String pattern(/^(?=x)\\w+$/) }")
    assert _field(_entity(domain, "A"), "code").pattern is None
    assert any("pattern dropped" in w for w in warnings)


def test_enum_values_become_upper_snake(tmp_path: Path) -> None:
    domain, _, _ = _load(
        tmp_path, 'enum Mood { happy ("Happy"), veryCalm, OK_THEN }\nentity A { mood Mood }'
    )
    assert domain.enums[0].values == ["HAPPY", "VERY_CALM", "OK_THEN"]


# ---------------------------------------------------------------------------------------------
# Errors: one line, file:line each


@pytest.mark.parametrize(
    ("source", "line", "fragment"),
    [
        ("entity A {\n  name String\n  #oops\n}", 3, "syntax error"),
        ("entity A {\n  name String min(\n}", 3, "syntax error"),
        ("entity A { x String }\n\nentity A { y String }", 3, "duplicate entity 'A'"),
        ("entity A {\n  x String\n  x Integer\n}", 3, "duplicate field 'x'"),
        ("enum E {\n  ONE,\n  ONE\n}\nentity A { e E }", 3, "duplicate value 'ONE'"),
        ("entity A { x String }\nrelationship ManyToOne {\n  A{b} to Nope\n}", 3, "'Nope'"),
        ("entity OrderItem { x String }\nentity Order_Item { y String }", 2, "collides"),
        ("entity A {\n  firstName String\n  first_name String\n}", 3, "collides"),
        ("entity A { x String }\nentity B { y String min(1) }", 2, "use minlength"),
        ("entity A { x String }\nentity B { y Integer maxlength(1) }", 2, "use max on number"),
        (f"entity A {{ x String }}\nentity {'Long' * 13} {{ y String }}", 2, "longer than 48"),
        ("entity Box { x String }\nentity Boxe { y String }", 2, "collides"),  # boxes
        (f"entity A {{\n  {'long' * 13} String\n}}", 2, "longer than 48"),
        ("entity A {\n  x Money\n}", 2, "unknown type 'Money'"),
        ("entity A {\n  x String maxlength(NOPE)\n}", 2, "unknown constant 'NOPE'"),
        ("entity A { x String }\nrelationship ManyToOne {\n A{x} to A\n}", 3, "collides"),
        ("deployment { deploymentType docker-compose }", 1, "no entities and no application"),
    ],
)
def test_errors_name_file_and_line(tmp_path: Path, source: str, line: int, fragment: str) -> None:
    message = _error(tmp_path, source)
    assert message.startswith(f"{tmp_path / 'bad.jdl'}:{line}: ")
    assert fragment in message


def test_several_errors_are_joined_in_one_line(tmp_path: Path) -> None:
    message = _error(
        tmp_path,
        "entity A {\n  x Money\n}\nentity B { y String }\nentity B { z String }\n",
    )
    problems = message.split("; ")
    assert len(problems) == 2
    assert problems[0].endswith(":2: A.x has unknown type 'Money'")
    assert problems[1].endswith(":5: duplicate entity 'B'")


def test_unreadable_file_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserInputError, match="cannot read domain file"):
        load_domain_input(tmp_path / "missing.jh")


def test_many_to_many_link_names_avoid_taken_names(tmp_path: Path) -> None:
    domain, _, _ = _load(
        tmp_path,
        """
        entity Person { name String }
        entity Team { name String }
        entity TeamPerson { note String }
        relationship ManyToMany { Team{person} to Person{team} }
        relationship ManyToMany { Person{person} to Person }
        """,
    )
    team_link = _entity(domain, "TeamPersonLink")  # TeamPerson is a declared entity
    assert [(r.name, r.target) for r in team_link.relationships] == [
        ("team", "Team"),
        ("person", "Person"),
    ]
    self_link = _entity(domain, "PersonLinkedPerson")  # both ends are people
    assert [(r.name, r.target) for r in self_link.relationships] == [
        ("person", "Person"),
        ("linked_person", "Person"),
    ]
    assert {r.column for r in self_link.relationships} == {"person_id", "linked_person_id"}
