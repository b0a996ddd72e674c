import json
import os

import pytest

REFERENCE = os.environ.get("MELNORM_REFERENCE_DIR",
                           os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "reference"))


def reference_cases(kind):
    with open(os.path.join(REFERENCE, "cases.json")) as f:
        return [c for c in json.load(f)["cases"] if c.get("kind", "mel") == kind]


@pytest.fixture
def reference_dir():
    return REFERENCE
