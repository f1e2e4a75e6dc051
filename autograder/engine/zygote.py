"""A warm sandbox host: TensorFlow imported once, a fresh isolated process per submission.

Starting Python and importing TensorFlow, Keras and IPython costs 5 s or more,
more than running a typical notebook. This program pays it once. The class
grader copies it (as ``kit_zygote.py``, beside ``kit_sandbox.py`` and
``kit_codec.py``) into a private folder and starts it inside bubblewrap, with
the same masks as a cold sandbox (hidden tests, hidden data, grading code,
other submissions and the run folder are not there; no network) plus a spool
folder at ``/tmp/kit-spool`` where each submission's private folder appears.
It runs as root *inside* that wall, keeping only the capabilities it needs to
build the next wall, and never runs student code itself.

For each request on stdin (``{"id": ..., "folder": ..., "uid": ..., "limits": ...,
"timeout": ...}``) it forks, and reads the next request meanwhile: the grading jobs of a
machine share one host, each running a submission of its own. The child gets what a cold
sandbox gets:

- new mount, PID, network, IPC and UTS namespaces; a fresh ``/proc`` that
  shows only this submission's processes; fresh empty ``/tmp``, ``/var/tmp``
  and ``/dev/shm`` (nothing one submission leaves there reaches the next);
  its own folder, and no other, at ``/tmp/sandbox``;
- a PID-namespace init that stays root and only waits, so that everything the
  submission started dies with it;
- the submission itself as PID 2: its own session, resource limits, an
  unprivileged uid of its own, no capabilities, ``no_new_privs``; then
  ``kit_sandbox.main``, exactly as a cold sandbox runs it.

The host replies ``<id> exit <code>`` once the submission ends (``exit 152`` when it used up
its CPU time, SIGXCPU; ``<id> timeout`` when it outlived the wall-clock backstop and was
killed). Student code never runs in the host, so the host stays clean for the next
submission.
"""
import ctypes
import json
import os
import random
import resource
import select
import signal
import sys
import tempfile

SPOOL = "/tmp/kit-spool"
SANDBOX = "/tmp/sandbox"
SCRATCH = ("/tmp", "/var/tmp", "/dev/shm")
TIMED_OUT = 124

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWPID, CLONE_NEWNET = 0x20000000, 0x40000000
MS_NOSUID, MS_NODEV, MS_NOEXEC = 2, 4, 8
MS_BIND, MS_REC, MS_PRIVATE = 4096, 16384, 1 << 18
PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 24, 38, 47, 4
CAP_LAST = 63

libc = ctypes.CDLL(None, use_errno=True)


def _check(result, what):
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def unshare(flags):
    _check(libc.unshare(ctypes.c_int(flags)), "unshare")


def mount(source, target, fstype=None, flags=0, data=None):
    enc = lambda s: s.encode() if s is not None else None  # noqa: E731
    _check(libc.mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)),
           f"mount {target}")


def drop_privileges(uid):
    """Become ``uid`` with no capabilities, now or after any exec."""
    for cap in range(CAP_LAST + 1):
        libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)  # unknown numbers fail harmlessly
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this thread
    _check(libc.capset(header, (ctypes.c_uint32 * 6)()), "capset")
    _check(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
    if os.getuid() != uid or os.geteuid() != uid or os.getgroups():
        raise OSError(f"could not become uid {uid}")


def build_walls(folder, keep):
    """In fresh namespaces: empty scratch folders, the submission's own folder at SANDBOX.

    ``keep``: folders inside a scratch folder that must stay visible (the kit
    itself, when a CI checkout lives in /tmp); bound again with the masks on them.
    """
    private = os.open(os.path.join(SPOOL, folder), os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    kept = [(path, os.open(path, os.O_RDONLY | os.O_DIRECTORY)) for path in keep]
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    for scratch in SCRATCH:  # the new /tmp also covers the spool of other submissions
        mount("tmpfs", scratch, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755")
    for path, fd in kept:
        os.makedirs(path, exist_ok=True)
        mount(f"/proc/self/fd/{fd}", path, None, MS_BIND | MS_REC)
        os.close(fd)
    os.mkdir(SANDBOX)
    mount(f"/proc/self/fd/{private}", SANDBOX, None, MS_BIND)
    os.close(private)


def become_submission(uid, limits):
    """PID 2: limits, a new session, output to a log in its own folder, then the sandbox."""
    os.setsid()
    os.chdir(SANDBOX)
    log = os.open("kit_sandbox.log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.closerange(3, 65536)  # the host's control pipe above all
    for name in ("AS", "NPROC", "FSIZE", "CORE", "CPU"):  # (soft, hard): runner.sandbox_limits
        if name in limits:
            soft, hard = (int(value) for value in limits[name])
            resource.setrlimit(getattr(resource, f"RLIMIT_{name}"), (soft, hard))
    drop_privileges(uid)
    tempfile.tempdir = None  # chosen again, as this user: the host's choice is not writable
    # A fresh interpreter would seed these from the OS; forked ones would all share the host's.
    random.seed()
    import numpy
    numpy.random.seed(int.from_bytes(os.urandom(4), "little"))
    import kit_sandbox
    kit_sandbox.main("submission.ipynb", "probes.json", "artifacts")


def init(uid, limits):
    """PID 1 of the submission's namespace: start it, reap orphans, exit with its status."""
    submission = os.fork()
    if submission == 0:
        try:
            become_submission(uid, limits)
        except BaseException as exc:  # noqa: BLE001 - report, never fall back into init
            print(f"sandbox setup failed: {exc!r}", file=sys.stderr, flush=True)
        os._exit(71)
    while True:
        pid, status = os.waitpid(-1, 0)
        if pid == submission:
            code = os.waitstatus_to_exitcode(status)
            os._exit(code if code >= 0 else 128 - code)


def launch(request, keep=(), close=()) -> int:
    """Fork a monitor that builds the walls, starts init and enforces the time limit; its
    pid (its exit status is the submission's, :func:`answer`). ``close``: descriptors of the
    host the monitor has no use for (the other submissions' process handles)."""
    folder, uid = str(request["folder"]), int(request["uid"])
    if "/" in folder or folder in ("", ".", "..") or uid < 1000:
        raise ValueError("bad request")
    limits, timeout = request["limits"], max(1, int(request["timeout"]))
    monitor = os.fork()
    if monitor:
        return monitor
    code = 72
    try:
        for fd in close:
            os.close(fd)
        unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS)
        first = os.fork()  # PID 1 of the new namespace
        if first == 0:
            try:
                build_walls(folder, keep)
                init(uid, limits)
            finally:
                os._exit(73)
        signal.signal(signal.SIGALRM, lambda *_: os.kill(first, signal.SIGKILL))
        signal.alarm(timeout)
        _, status = os.waitpid(first, 0)
        left = signal.alarm(0)
        code = os.waitstatus_to_exitcode(status)
        code = TIMED_OUT if code == -signal.SIGKILL and left == 0 else code
    except BaseException as exc:  # noqa: BLE001
        print(f"sandbox setup failed: {exc!r}", file=sys.stderr, flush=True)
    finally:
        os._exit(code if code >= 0 else 128 - code)


def answer(status) -> str:
    """The reply for a monitor's wait status."""
    code = os.waitstatus_to_exitcode(status)
    return "timeout" if code == TIMED_OUT else f"exit {code}"


def _handle(pid) -> int:
    """A process handle on the monitor ``pid``; without one, the monitor is stopped."""
    try:
        return os.pidfd_open(pid)
    except OSError:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        raise


def serve(keep, requests=0, reply=sys.stdout):
    """Serve request lines from the descriptor ``requests`` until it closes, several at once.

    Each request carries an ``id``, and its reply line starts with it (``7 exit 0``): the
    grading jobs of a machine share one host (one TensorFlow import, not one per job), so
    replies come in the order the submissions end. The host waits on each monitor through a
    process handle (``pidfd``) beside the request pipe: no signal handler, no thread, so
    nothing of the host's own is running when it forks the next monitor."""
    running, buffered = {}, b""  # pidfd -> (monitor pid, request id)
    while True:
        ready, _, _ = select.select([requests, *running], [], [])
        for fd in ready:
            if fd in running:
                pid, ident = running.pop(fd)
                os.close(fd)
                _, status = os.waitpid(pid, 0)
                print(f"{ident} {answer(status)}", file=reply, flush=True)
                continue
            chunk = os.read(requests, 65536)
            if not chunk:
                return  # the grader is done: bubblewrap takes any monitor left along
            buffered += chunk
            *lines, buffered = buffered.split(b"\n")
            for line in lines:
                ident = "?"
                try:
                    request = json.loads(line)
                    ident = int(request["id"])
                    pid = launch(request, keep, close=list(running))
                    running[_handle(pid)] = (pid, ident)
                except (ValueError, KeyError, TypeError, OSError) as exc:
                    print(f"{ident} error {exc!r}", file=reply, flush=True)


def main(keep):
    # What every sandbox imports anyway (see kit_sandbox.main), imported once here.
    import h5py  # noqa: F401
    import keras  # noqa: F401
    import matplotlib.pyplot  # noqa: F401
    import nbformat  # noqa: F401
    import tensorflow  # noqa: F401
    from IPython.core.interactiveshell import InteractiveShell  # noqa: F401

    import kit_sandbox  # noqa: F401
    reply = sys.stdout
    sys.stdout = sys.stderr  # nothing but replies on the control pipe
    print("ready", file=reply, flush=True)
    serve(keep, sys.stdin.fileno(), reply)


if __name__ == "__main__":
    main(sys.argv[1:])  # the folders to keep visible
