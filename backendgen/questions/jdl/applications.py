"""Map JDL option lines, annotations and ``application`` blocks (answers, entity choice)."""

from __future__ import annotations

from backendgen.questions.jdl.base import ImporterBase, sanitise_project_name
from backendgen.questions.jdl.model import JdlBlock, JdlOption
from backendgen.questions.jdl.tables import (
    _AUTH_TYPES,
    _H2_DATABASES,
    _MAPPED_CONFIG,
    _OPTION_EFFECTS,
    _SQL_DATABASES,
    APPLICATION_TYPES,
)


class ApplicationMapper(ImporterBase):
    """Reads option lines, annotations and the chosen application block."""

    def _options(self, options: list[JdlOption] | tuple[JdlOption, ...]) -> None:
        for option in options:
            for name in option.entities + option.excluded:
                if name != "*" and name not in self.entity_names and name not in self.builtins:
                    self.error(option.line, f"option '{option.name}' names unknown entity '{name}'")
            effect = _OPTION_EFFECTS.get(option.name, "ignored: unknown option")
            self.warn(option.line, f"option '{option.name}' {effect}")

    def _entity_annotations(self) -> None:
        for entity in self.doc.entities:
            for annotation in entity.annotations:
                effect = _OPTION_EFFECTS.get(annotation.name, "ignored: unknown annotation")
                self.warn(annotation.line, f"annotation '@{annotation.name}' {effect}")

    def select_application(self, name: str | None) -> None:
        """Choose the application to generate and the entities it owns.

        Without ``name`` a file with one application (or none) is taken whole; a file with
        several is an error naming them. With ``name`` the application whose ``baseName`` it
        is owns the entities of its ``entities`` clause (``*`` and ``except`` included), or,
        without a clause, the entities of its ``microservice`` option lines.
        """
        apps = self.doc.applications
        names = [self._config(app, "baseName") or f"#{i + 1}" for i, app in enumerate(apps)]
        if name is None:
            if len(apps) > 1:
                self.error(
                    apps[1].line,
                    f"{len(apps)} applications ({', '.join(names)}): choose one with "
                    "--application NAME",
                )
            self.chosen = apps[0] if apps else None
            return
        if name not in names:
            known = ", ".join(names) or "none"
            self.error(
                apps[0].line if apps else 1, f"no application '{name}' (applications: {known})"
            )
            return
        self.chosen = apps[names.index(name)]
        self.selected = self._owned_entities(self.chosen, name)

    def _owned_entities(self, app: JdlBlock, name: str) -> set[str]:
        declared = {entity.name for entity in self.doc.entities}
        if app.entities:
            listed = declared if "*" in app.entities else set(app.entities)
        else:
            listed = {
                entity
                for option in self.doc.options
                if option.name == "microservice" and option.value == name
                for entity in (declared if "*" in option.entities else option.entities)
            }
        for entity in sorted((listed | set(app.excluded)) - declared):
            self.error(app.line, f"application '{name}' lists unknown entity '{entity}'")
        return (listed - set(app.excluded)) & declared

    def answers(self) -> dict[str, str]:
        """Derive answers from the chosen application; warn about what is ignored."""
        for deployment in self.doc.deployments:
            self.warn(deployment.line, "deployment block ignored (see the 'deployment' answer)")
        app = self.chosen
        if app is None:
            return {}
        self._options(app.options)
        if app.entities and self.selected is None and app.entities != ("*",):
            self.warn(app.line, "application entity list ignored: every entity is imported")
        found: dict[str, str] = {}
        self._project_name(app, found)
        self._database(app, found)
        self._auth(app, found)
        kind = self._config(app, "applicationType")
        if kind is not None:
            effect = APPLICATION_TYPES.get(kind, "unknown type: generated as one backend")
            self.warn(app.line, f"applicationType '{kind}' mapped to {effect}")
        ignored = [key for key in app.config if key not in _MAPPED_CONFIG]
        if ignored:
            self.warn(app.line, f"application config ignored: {', '.join(ignored)}")
        return found

    def _config(self, block: JdlBlock, key: str) -> str | None:
        value = block.config.get(key)
        return value if isinstance(value, str) else None

    def _project_name(self, block: JdlBlock, found: dict[str, str]) -> None:
        base = self._config(block, "baseName")
        if base is None:
            return
        name = sanitise_project_name(base)
        if name is None:
            self.warn(block.line, f"baseName '{base}' unusable as a project name: ignored")
            return
        if name != base:
            self.warn(block.line, f"baseName '{base}' mapped to project_name '{name}'")
        found["project_name"] = name

    def _database(self, block: JdlBlock, found: dict[str, str]) -> None:
        engine = self._config(block, "prodDatabaseType") or self._config(block, "databaseType")
        if engine is None or engine.lower() == "sql":
            return
        if engine.lower() in _SQL_DATABASES:
            found["database"] = "postgresql"
        elif engine.lower() in _H2_DATABASES:
            found["database"] = "sqlite"
        else:
            self.warn(block.line, f"database '{engine}' is not relational: database left default")
            return
        if engine != found["database"]:
            self.warn(block.line, f"prodDatabaseType '{engine}' mapped to '{found['database']}'")

    def _auth(self, block: JdlBlock, found: dict[str, str]) -> None:
        auth = self._config(block, "authenticationType")
        if auth is None:
            return
        if auth not in _AUTH_TYPES:
            self.warn(block.line, f"authenticationType '{auth}' unknown: auth left default")
            return
        found["auth"] = "jwt"
        if auth != "jwt":
            self.warn(block.line, f"authenticationType '{auth}' mapped to 'jwt'")
