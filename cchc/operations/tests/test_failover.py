"""A lost primary (issue 19): deploy/failover-drill builds a primary and a streaming replica
(two throwaway PostgreSQL clusters), has the reports read the replica through the router
while dossiers are written, kills the primary, promotes the replica and checks that every
committed dossier and audit event survived, the audit chains verify and work goes on."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not Path("/usr/lib/postgresql").is_dir() or not shutil.which("psql"),
        reason="needs PostgreSQL's server binaries (Debian's postgresql)",
    ),
]


def test_the_replica_is_promoted_and_nothing_committed_is_lost():
    drill = subprocess.run(
        ["bash", "deploy/failover-drill"], cwd=ROOT, capture_output=True, text=True, timeout=900
    )
    assert drill.returncode == 0, drill.stdout[-3000:] + drill.stderr[-3000:]
    out = drill.stdout
    assert "✓ the reports read an up-to-date standby through the router" in out
    assert "✓ nothing committed was lost" in out
    assert "failover-drill: OK" in out
