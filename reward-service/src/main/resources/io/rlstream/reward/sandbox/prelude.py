# rlstream sandbox prelude: runs before the candidate program, in the same interpreter.
# An audit hook (PEP 578) refuses, from here on: reading or writing files outside the work folder
# (Python's own standard library excepted, for imports), network access, new processes and
# native code. Defence in depth only: the outer layers are the separate process with rlimits,
# the fresh user and network namespace where the machine allows one, and the kill of the whole
# process tree at the wall-clock limit.
import os as _os
import sys as _sys

_ROOT = _os.path.realpath(_os.getcwd())
_READABLE = [_ROOT] + sorted({_os.path.realpath(p) for p in (_os.path.dirname(_os.__file__), _sys.base_prefix, _sys.prefix)})
_DEVICES = {"/dev/null", "/dev/urandom", "/dev/random"}


def _under(path, roots):
    try:
        p = _os.path.realpath(_os.fsdecode(path))
    except Exception:
        return False
    return p in _DEVICES or any(p == r or p.startswith(r + _os.sep) for r in roots)


def _hook(event, args):
    if event == "open":
        path, mode, flags = args[0], args[1], args[2]
        if isinstance(path, int):
            return
        writing = (mode is not None and any(c in str(mode) for c in "wax+")) or bool(
            flags & (_os.O_WRONLY | _os.O_RDWR | _os.O_CREAT | _os.O_TRUNC | _os.O_APPEND))
        if not _under(path, [_ROOT] if writing else _READABLE):
            raise PermissionError("sandbox: %s %r is outside the work folder" % ("writing" if writing else "reading", path))
    elif event in ("os.remove", "os.rmdir", "os.rename", "os.replace", "os.chmod", "os.chown", "os.mkdir",
                   "os.symlink", "os.link", "os.truncate", "os.utime", "shutil.rmtree"):
        for a in args[:2]:
            if isinstance(a, (str, bytes, _os.PathLike)) and not _under(a, [_ROOT]):
                raise PermissionError("sandbox: %s on %r outside the work folder" % (event, a))
    elif event in ("os.listdir", "os.scandir"):
        # Imports list the standard library's folders; anything else is outside reach.
        if args and isinstance(args[0], (str, bytes, _os.PathLike)) and not _under(args[0], _READABLE):
            raise PermissionError("sandbox: listing %r outside the work folder" % (args[0],))
    elif event.startswith("socket.") and event not in ("socket.gethostname",):
        raise PermissionError("sandbox: no network (%s)" % event)
    elif event in ("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
                   "os.forkpty", "pty.spawn", "os.kill", "os.killpg", "ctypes.dlopen", "ctypes.cdata"):
        raise PermissionError("sandbox: %s is not allowed" % event)


_sys.addaudithook(_hook)
del _hook
