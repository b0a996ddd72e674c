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


@pytest.fixture(scope="session")
def client():
    """A Dask cluster of 2 worker processes on loopback, shared by every test that needs one."""
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                       dashboard_address=None, silence_logs=40)
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()
