"""Losing data, rehearsed with throwaway PostgreSQL clusters (issue 19).

deploy/failover-drill builds a primary and a streaming replica, has the reports read the
replica through the router while dossiers are written, kills the primary, promotes the
replica and checks that every committed dossier and audit event survived, the audit chains
verify and work goes on. deploy/pitr-drill archives a primary's WAL, truncates every dossier
by mistake, and recovers a base backup to the moment before the accident."""

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


def test_point_in_time_recovery_brings_back_what_an_accident_destroyed():
    drill = subprocess.run(
        ["bash", "deploy/pitr-drill"], cwd=ROOT, capture_output=True, text=True, timeout=900
    )
    assert drill.returncode == 0, drill.stdout[-3000:] + drill.stderr[-3000:]
    out = drill.stdout
    assert "dossiers left: 0" in out  # the accident did destroy them
    assert "✓ every dossier committed before the accident is back" in out
    assert "pitr-drill: OK" in out
