"""Sandbox users on a machine with several grader processes (Dask: ``dask worker --nworkers
<cores>``): no two live sandboxes may share a uid, since a uid's RLIMIT_NPROC counts all its
processes and a fork bomb in one sandbox would leave the other no thread to start."""
import os
import subprocess
import sys
import textwrap

from autograder.engine import runner
from tests.conftest import REPO

CLAIM_AND_HOLD = textwrap.dedent("""
    import sys, time
    from autograder.engine import runner
    uid, fd = runner.claim_uid()  # a worker process's first submission
    print(uid, flush=True)
    sys.stdin.read()  # its sandbox runs until the test closes stdin
    runner.release_uid(fd)
""")


def worker(env):
    return subprocess.Popen([sys.executable, "-c", CLAIM_AND_HOLD], cwd=REPO, env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)


def test_two_worker_processes_never_run_their_sandboxes_as_one_user(tmp_path, monkeypatch):
    env = {**os.environ, "KIT_UID_LOCKS": str(tmp_path), "PYTHONPATH": str(REPO)}
    first, second = worker(env), worker(env)
    try:
        uids = {int(first.stdout.readline()), int(second.stdout.readline())}
        assert len(uids) == 2, uids  # each process's counter starts at the same uid
        monkeypatch.setattr(runner, "UID_LOCKS", tmp_path)
        uid, fd = runner.claim_uid()  # a third process (this one) on the same machine
        assert uid not in uids and uid in runner.uid_range()[:-1]
        runner.release_uid(fd)
    finally:
        for process in (first, second):
            process.stdin.close()
            process.wait(timeout=30)
    uid, fd = runner.claim_uid()  # released: taken again
    runner.release_uid(fd)
