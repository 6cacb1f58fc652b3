"""Cost of real token usage: usage x a price table the user can override."""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

from backendgen.errors import UserInputError


@dataclass(frozen=True)
class Price:
    """USD per million input and output tokens."""

    input: float
    output: float


def load_prices(override: Path | None = None) -> dict[str, Price]:
    """Load the bundled price table, updated by ``override`` or ``$BACKENDGEN_PRICES``.

    Args:
        override: A YAML file ``model: {input: X, output: Y}``.

    Returns:
        Prices by model name.

    Raises:
        UserInputError: If the override file is unreadable or malformed.
    """
    text = (
        resources.files("backendgen.catalogue").joinpath("pricing", "prices.yml").read_text("utf-8")
    )
    table = _parse(yaml.safe_load(text), "bundled prices")
    path = override or (
        Path(os.environ["BACKENDGEN_PRICES"]) if os.environ.get("BACKENDGEN_PRICES") else None
    )
    if path is not None:
        try:
            data = yaml.safe_load(path.read_text("utf-8"))
        except (OSError, yaml.YAMLError) as error:
            raise UserInputError(f"{path}: cannot read price table ({error})") from None
        table |= _parse(data, str(path))
    return table


def _parse(data: object, origin: str) -> dict[str, Price]:
    if not isinstance(data, dict):
        raise UserInputError(f"{origin}: a price table maps model names to input/output prices")
    try:
        return {str(k): Price(float(v["input"]), float(v["output"])) for k, v in data.items()}
    except (TypeError, KeyError, ValueError):
        raise UserInputError(f"{origin}: every model needs numeric 'input' and 'output'") from None


def cost_usd(
    prices: dict[str, Price], model: str, prompt_tokens: int, completion_tokens: int
) -> float:
    """Return the cost of a usage at ``model``'s price (0 for unlisted models)."""
    price = prices.get(model)
    if price is None:
        return 0.0
    return (prompt_tokens * price.input + completion_tokens * price.output) / 1_000_000
