package io.rlstream.reward.sandbox;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line of one sandboxed run, outermost layer first:
 * <pre>
 * setsid                                   own session and process group
 *   setpriv --reuid=65534 ...              only when the service is root
 *     unshare --user --map-root-user --net --pid --fork --kill-child [--mount-proc | --mount]
 *       prlimit --cpu --as --nproc ...     inside the user namespace, see below
 *         sh -c '"$@"; exit $?'            PID 1 of the namespace
 *           python3 -I -S -B -c PRELUDE workdir main.py tmpfs-bytes audit
 * </pre>
 * The rlimits are set inside the new user namespace on purpose: since Linux 5.14 RLIMIT_NPROC is
 * counted per user namespace, and a namespace created under the limit would also count every
 * process of the same host user (the JVM's threads, other sandboxes) against it.
 *
 * <p>{@code sh} stays between the namespace and Python because the kernel ignores SIGXCPU sent
 * to a namespace's PID 1, and because when PID 1 exits every process left in the namespace is
 * killed: children the program leaves behind die with it.
 */
final class SandboxCommand {

    /** The overflow user, {@code nobody} on Debian and Red Hat alike. */
    static final int NOBODY = 65534;

    private SandboxCommand() {
    }

    static List<String> build(SandboxTools tools, SandboxIsolation layers, SandboxLimits limits, Path workDir, String programFile) {
        List<String> cmd = new ArrayList<>();
        if (layers.ownSession()) {
            cmd.add(tools.setsid().orElseThrow().toString());
        }
        if (layers.dropsToNobody()) {
            cmd.addAll(List.of(tools.setpriv().orElseThrow().toString(),
                    "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups"));
        }
        if (layers.namespaces()) {
            cmd.addAll(List.of(tools.unshare().orElseThrow().toString(),
                    "--user", "--map-root-user", "--net", "--pid", "--fork", "--kill-child"));
            if (layers.privateProc()) {
                cmd.add("--mount-proc");  // implies --mount
            } else if (layers.readOnlyFilesystem()) {
                cmd.add("--mount");
            }
        }
        switch (layers.resourceLimits()) {
            case "prlimit" -> cmd.addAll(List.of(tools.prlimit().orElseThrow().toString(),
                    "--cpu=" + limits.cpuSeconds() + ":" + (limits.cpuSeconds() + 1),
                    "--as=" + limits.memoryBytes(),
                    "--nproc=" + limits.maxProcesses(),
                    "--fsize=" + limits.maxFileBytes(),
                    "--nofile=" + limits.maxOpenFiles(),
                    "--core=0"));
            case "ulimit" -> cmd.addAll(List.of(tools.bash().orElseThrow().toString(), "-c",
                    // bash counts -v and -f in KiB; the soft CPU limit goes first, as the soft limit may
                    // never be above the hard one (an unlimited soft limit over a new hard one is EINVAL)
                    "ulimit -S -t " + limits.cpuSeconds() + " && ulimit -H -t " + (limits.cpuSeconds() + 1)
                            + " && ulimit -v " + limits.memoryBytes() / 1024
                            + " && ulimit -u " + limits.maxProcesses()
                            + " && ulimit -f " + Math.max(1, limits.maxFileBytes() / 1024)
                            + " && ulimit -n " + limits.maxOpenFiles()
                            + " && ulimit -c 0 && exec \"$@\"",
                    "sandbox-limits"));
            default -> {
            }
        }
        if (layers.namespaces()) {
            cmd.addAll(List.of(tools.sh().toString(), "-c", "\"$@\"; exit $?", "sandbox"));
        }
        cmd.addAll(List.of(layers.python().toString(), "-I", "-S", "-B", "-c", PythonPrelude.SOURCE,
                workDir.toString(), programFile,
                layers.readOnlyFilesystem() ? Long.toString(limits.diskBytes()) : "",
                layers.auditHook() ? "1" : "0"));
        return cmd;
    }
}
