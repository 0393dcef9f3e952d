"""JSON Schemas of the public documents, generated from the models that validate them."""

from __future__ import annotations

from typing import Any

from yibao.batch.format import batch_schema
from yibao.documents.bill import Bill
from yibao.documents.settlement import Settlement
from yibao.policy.models import Policy

_MODELS: dict[str, Any] = {"bill": Bill, "settlement": Settlement, "policy": Policy}


def json_schema(document: str) -> dict[str, Any]:
    """The JSON Schema of 'bill', 'settlement' or 'policy'; the column format of a 'batch' book."""
    if document == "batch":
        return batch_schema()
    model = _MODELS[document]
    mode = "serialization" if document == "settlement" else "validation"
    schema: dict[str, Any] = model.model_json_schema(mode=mode)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
