"""scripts/pgcluster.py, the throwaway PostgreSQL clusters the tests and benchmarks run: reachable only by
their owner and root, found whatever the installed versions are called, and cleaned up after a killed run."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
from pathlib import Path

import pytest
from scripts import pgcluster
from scripts.pgcluster import OWNER_FILE, PostgresCluster, postgres_bin, reap_abandoned, wait_until

needs_postgresql = pytest.mark.skipif(postgres_bin() is None, reason="PostgreSQL is not installed")


def test_the_newest_version_is_chosen_whatever_the_directories_are_called(tmp_path: Path) -> None:
    for name in ("9.6", "15", "13", "devel"):
        (tmp_path / name / "bin").mkdir(parents=True)
        (tmp_path / name / "bin" / "pg_ctl").touch()
    assert postgres_bin(tmp_path) == tmp_path / "15" / "bin"
    assert postgres_bin(tmp_path / "none") is None


@needs_postgresql
def test_the_suites_cluster_is_reachable_only_by_its_owner_and_root(pg_cluster: PostgresCluster) -> None:
    """No TCP port, and a unix socket in a directory only the postgres user (and root) can enter: another
    local user cannot reach the superuser that `trust` lets in."""
    assert pg_cluster.psql("SHOW listen_addresses") == ""
    assert stat.S_IMODE(pg_cluster.directory.stat().st_mode) == 0o700
    if os.geteuid() == 0:
        outsider = subprocess.run(
            ["runuser", "-u", "nobody", "--", str(pg_cluster.bin_dir / "psql"), "-h", str(pg_cluster.directory),
             "-p", str(pg_cluster.port), "-U", "postgres", "-c", "SELECT 1"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert outsider.returncode != 0 and "Permission denied" in outsider.stderr


def dead_pid() -> int:
    done = subprocess.Popen(["true"])
    done.wait()
    return done.pid


@needs_postgresql
def test_clusters_whose_owner_died_are_stopped_and_removed() -> None:
    abandoned = PostgresCluster.create("reader-pg-reaptest-")
    kept = PostgresCluster.create("reader-pg-reaptest-")
    try:
        abandoned.start()
        (abandoned.directory / OWNER_FILE).write_text(f"{dead_pid()}\n")
        postmaster = int((abandoned.data / "postmaster.pid").read_text().split()[0])
        assert reap_abandoned("reader-pg-reaptest-") == [abandoned.directory]
        assert not abandoned.directory.exists()
        wait_until(lambda: not running(postmaster), timeout=30)  # stopped: it exits just after its pid file goes
        assert kept.directory.exists()  # its owner (this process) lives
    finally:
        abandoned.remove()
        kept.remove()


def running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@needs_postgresql
def test_a_tcp_port_taken_meanwhile_is_replaced_by_another(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        ports = [taken.getsockname()[1], pgcluster.free_port()]
        monkeypatch.setattr(pgcluster, "free_port", lambda: ports.pop(0))
        with PostgresCluster.running("reader-pg-porttest-", tcp=True) as cluster:
            assert ports == [] and cluster.psql("SHOW port") == str(cluster.port)
