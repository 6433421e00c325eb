"""Children that cannot outlive their parent, so a killed launcher leaves no orphan behind."""
import ctypes
import signal
import sys

_PR_SET_PDEATHSIG = 1


def child_dies_with_parent() -> None:
    """preexec_fn for subprocess.Popen: the kernel sends SIGTERM to the child when its parent dies."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
