"""One real llama-server for the whole e2e session; every test's DISPATCH_HOME finds it through its state dir.

That each test reuses it (instead of starting its own) is itself the manager's reuse path at work.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.config import builtin_local
from core.local.server import LocalServer, ServerSpec, ServerState
from tests.helpers import LOCAL_MISSING, MODELS


@pytest.fixture(scope="session")
def local_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerState]:
    if LOCAL_MISSING is not None:
        pytest.skip(f"the local model is not installed ({LOCAL_MISSING}); `make test` installs it")
    manager = LocalServer(tmp_path_factory.mktemp("local-state"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DISPATCH_MODELS_DIR", str(MODELS))
        state = manager.ensure(ServerSpec.for_model(builtin_local()))
    yield state
    manager.stop()


@pytest.fixture(autouse=True)
def shared_state(local_server: ServerState, isolated: Path) -> ServerState:
    home = isolated / "home"
    home.mkdir(parents=True, exist_ok=True)
    (home / "state").symlink_to(Path(local_server.log).parent, target_is_directory=True)
    return local_server
