"""What a blueprint derives its spec from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from backendgen.agents.core_backend import DECLARED, EXTERNAL, CoreBackendSpec
from backendgen.agents.spec_base import SlotSpec
from backendgen.questions.answers import Answers
from backendgen.questions.domain import DomainSpec


@dataclass(frozen=True)
class BlueprintInput:
    """The answers, the domain and the specs of the agents already done."""

    answers: Answers
    domain: DomainSpec
    upstream: Mapping[str, SlotSpec] = field(default_factory=dict)
    external: tuple[str, ...] = ()
    """Entities declared outside ``domain``: ``domain`` is one fan-out group of a larger one."""

    def validation_context(self) -> dict[str, object]:
        """The context a spec is validated with: upstream specs and the declared domain."""
        declared = CoreBackendSpec.model_construct(
            entities=self.domain.entities, enums=self.domain.enums
        )
        return {**self.upstream, DECLARED: declared, EXTERNAL: self.external}

    @property
    def core(self) -> CoreBackendSpec:
        """The core backend spec (every blueprint but core's own depends on it)."""
        spec = self.upstream["core_backend"]
        if not isinstance(spec, CoreBackendSpec):
            raise TypeError("upstream 'core_backend' is not a CoreBackendSpec")
        return spec
