package io.rlstream.reward.sandbox;

/**
 * The Python code that runs before the candidate program, inside the sandbox, passed with
 * {@code python3 -I -S -B -c}. Its arguments are the work dir, the program's file name in it, the
 * tmpfs size in bytes (empty: no mount namespace) and {@code 1} to install the audit hook.
 *
 * <p>In order, before any candidate code runs:
 * <ol>
 *   <li>reads the run's token (a random nonce) from stdin, then puts {@code /dev/null} there;
 *   <li>reads the program, because the next step hides the host's copy;
 *   <li>when it is root of its own user and mount namespaces: mounts a size-capped tmpfs on the
 *       work dir, makes every other mount read-only with one recursive {@code mount_setattr(2)},
 *       and drops every capability (bounding set, ambient, effective, permitted) and sets
 *       {@code no_new_privs}, so the program cannot undo the mounts; it refuses to go on if any
 *       capability remains;
 *   <li>prints {@code <token>:start}, so that the service can tell a program that ran and failed
 *       from a sandbox that never started;
 *   <li>installs the audit hook (writes outside the work dir, {@code /proc}, processes, signals,
 *       sockets, DNS, ctypes, frame and object walking) and runs the program as {@code __main__}.
 * </ol>
 * Only when the program returns from its last line does the prelude print {@code <token>:end}
 * and exit 0. So {@code sys.exit(0)} or {@code os._exit(0)} before the tests at the end of the
 * file ran is a failure, not a pass: the reward hack of exiting early earns nothing. A program
 * that knows this prelude could still read the token from the prelude's frame
 * ({@code sys._getframe().f_back}); the audit hook cannot see frame walks, so this stops the hack
 * a policy stumbles on, not one written against this code.
 *
 * <p>Kept as Python in a Java string so the sandbox is one jar with no resources to unpack.
 */
final class PythonPrelude {

    private PythonPrelude() {
    }

    static final String SOURCE = """
import os
import sys


def _setup_root_namespace(work, fs):
    # Runs as root of the sandbox's own user namespace, before any candidate code: mounts a
    # size-capped tmpfs on the work dir, makes every other mount read-only, drops capabilities.
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)

    def check(result, what):
        if result != 0:
            errno = ctypes.get_errno()
            raise OSError(errno, "sandbox: " + what + ": " + os.strerror(errno))

    class MountAttr(ctypes.Structure):
        _fields_ = [("attr_set", ctypes.c_uint64), ("attr_clr", ctypes.c_uint64),
                    ("propagation", ctypes.c_uint64), ("userns_fd", ctypes.c_uint64)]

    def setattr_mount(path, recursive, attr_set, attr_clr):
        attr = MountAttr(attr_set, attr_clr, 0, 0)
        # mount_setattr(2), Linux 5.12; 442 on every architecture
        check(libc.syscall(442, -100, path.encode(), 0x8000 if recursive else 0,
                           ctypes.byref(attr), ctypes.c_size_t(ctypes.sizeof(attr))),
              "mount_setattr " + path)

    if fs:
        size = int(fs)
        w = work.encode()
        check(libc.mount(b"sandbox", w, b"tmpfs", ctypes.c_ulong(2 | 4),  # MS_NOSUID | MS_NODEV
                         ("size=%d,mode=0700" % size).encode()), "mount tmpfs on " + work)
        setattr_mount("/", True, 1, 0)      # MOUNT_ATTR_RDONLY, whole tree
        setattr_mount(work, False, 0, 1)    # the work dir stays writable
    for cap in range(64):
        libc.prctl(24, cap, 0, 0, 0)        # PR_CAPBSET_DROP
    libc.prctl(47, 4, 0, 0, 0)              # PR_CAP_AMBIENT_CLEAR_ALL

    class CapHeader(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class CapData(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                    ("inheritable", ctypes.c_uint32)]

    check(libc.capset(ctypes.byref(CapHeader(0x20080522, 0)), (CapData * 2)()), "capset")
    check(libc.prctl(38, 1, 0, 0, 0), "no_new_privs")
    for name in [m for m in sys.modules if m == "ctypes" or m.startswith(("ctypes.", "_ctypes"))]:
        del sys.modules[name]


def _capabilities():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("CapEff:"):
                    return int(line.split()[1], 16)
    except OSError:
        pass
    return 0


def _install_audit_hook(work):
    # Defence in depth only: CPython's audit hooks are not a security boundary (PEP 578).
    realpath, isdir = os.path.realpath, os.path.isdir
    inside_prefix = work + "/"
    writing = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
    blocked = frozenset((
        "subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
        "os.forkpty", "os.kill", "os.killpg", "signal.pthread_kill",
        "socket.connect", "socket.bind", "socket.sendto", "socket.sendmsg", "socket.getaddrinfo",
        "socket.gethostbyname", "socket.gethostbyaddr", "socket.getnameinfo",
        "sys._current_frames", "sys.settrace", "sys.setprofile",
        "gc.get_objects", "gc.get_referrers", "gc.get_referents"))
    blocked_imports = frozenset(("_posixsubprocess", "ctypes", "_ctypes"))
    # event -> (positions of paths that must lie inside the work dir, positions of dir_fd arguments)
    mutating = {
        "os.remove": ((0,), (1,)), "os.rmdir": ((0,), (1,)), "os.mkdir": ((0,), (2,)),
        "os.rename": ((0, 1), (2, 3)), "os.link": ((0, 1), (2, 3)), "os.symlink": ((0, 1), (2,)),
        "os.chmod": ((0,), (2,)), "os.chown": ((0,), (3,)), "os.chflags": ((0,), ()),
        "os.truncate": ((0,), ()), "os.utime": ((0,), (3,)), "os.setxattr": ((0,), ()),
        "os.removexattr": ((0,), ()), "shutil.rmtree": ((0,), (1,))}

    def resolve(path):
        if type(path) is bytes:
            path = os.fsdecode(path)
        elif type(path) is not str:
            # pathlib's own classes only: a user class could run code from __fspath__ here
            path = str(path) if type(path).__module__ == "pathlib" else None
        return None if path is None else realpath(path)

    def inside(real):
        return real is not None and (real == work or real.startswith(inside_prefix))

    def deny(event, detail):
        raise PermissionError("sandbox: " + event + (" " + detail if detail else "") + " is not allowed")

    def hook(event, args):
        if event == "open":
            path, flags = args[0], args[2]
            if type(path) is int:
                return
            real = resolve(path)
            if real is None or real == "/proc" or real.startswith("/proc/"):
                deny("open", repr(path))
            if ((flags or 0) & writing or isdir(real)) and not inside(real):
                deny("open for writing", repr(path))
        elif event in mutating:
            paths, dir_fds = mutating[event]
            for i in dir_fds:
                if i < len(args) and args[i] is not None and args[i] != -1:  # -1: no dir_fd
                    deny(event, "with dir_fd")
            for i in paths:
                if event == "os.truncate" and type(args[i]) is int:
                    continue  # ftruncate needs a descriptor open for writing, which "open" checked
                if not inside(resolve(args[i])):
                    deny(event, repr(args[i]))
        elif event in blocked or event.startswith("ctypes."):
            deny(event, "")
        elif event == "import" and args[0] in blocked_imports:
            deny("import", args[0])

    sys.addaudithook(hook)


def _run():
    if sys.version_info < (3, 8):
        raise SystemExit("sandbox: Python 3.8 or newer is needed for audit hooks")
    work, program, fs, audit = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "1"
    nonce = b""
    while not nonce.endswith(b"\\n"):
        chunk = os.read(0, 64)
        if not chunk:
            raise SystemExit("sandbox: no run token on stdin")
        nonce += chunk
    nonce = nonce.decode().strip()
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    with open(os.path.join(work, program), "rb") as f:
        source = f.read()
    if fs or _capabilities():
        _setup_root_namespace(work, fs)
    if _capabilities():
        raise SystemExit("sandbox: capabilities remain after dropping them")
    os.chdir(work)
    if fs:
        with open(program, "wb") as f:  # into the fresh tmpfs, so that tracebacks show source lines
            f.write(source)
    marker = os.dup(1)
    os.write(marker, (nonce + ":start\\n").encode())
    try:
        code = compile(source, program, "exec", dont_inherit=True)
    except SyntaxError as e:
        sys.excepthook(type(e), e, None)
        os._exit(1)
    if audit:
        _install_audit_hook(os.path.realpath(work))
    import types
    module = types.ModuleType("__main__")
    module.__file__ = program
    sys.modules["__main__"] = module
    sys.argv[:] = [program]
    try:
        exec(code, module.__dict__)
    except SystemExit as e:
        _flush()
        if e.code is None or type(e.code) is int:
            os._exit(e.code or 0)
        print(e.code, file=sys.stderr)
        _flush()
        os._exit(1)
    except BaseException as e:
        _flush()
        tb = e.__traceback__.tb_next
        sys.excepthook(type(e), e.with_traceback(tb), tb)
        _flush()
        os._exit(1)
    _flush()
    os.write(marker, ("\\n" + nonce + ":end\\n").encode())
    os._exit(0)


def _flush():
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:
            pass


_run()
""";
}
