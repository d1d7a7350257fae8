package io.rlstream.reward.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The host programs the sandbox is built from, found once on the service's PATH (plus the usual
 * system directories, because a service's PATH is often short). Each may be absent; the sandbox
 * then runs without that layer and says so in {@link SandboxIsolation}.
 *
 * @param sh         {@code /bin/sh}, the first process of the PID namespace
 * @param setsid     util-linux {@code setsid}: own session and process group
 * @param prlimit    util-linux {@code prlimit}: rlimits
 * @param bash       bash, for {@code ulimit} when there is no prlimit
 * @param setpriv    util-linux {@code setpriv}: switch to uid 65534 when the service is root
 * @param unshare    util-linux {@code unshare}: user, network, PID and mount namespaces
 * @param kill       {@code kill}, to signal a whole process group
 * @param runsAsRoot whether the service itself runs as uid 0
 * @param pythons    every {@code python3} on PATH, in PATH order
 */
record SandboxTools(
        Path sh,
        Optional<Path> setsid,
        Optional<Path> prlimit,
        Optional<Path> bash,
        Optional<Path> setpriv,
        Optional<Path> unshare,
        Optional<Path> kill,
        boolean runsAsRoot,
        List<Path> pythons) {

    private static final List<String> SYSTEM_DIRS = List.of("/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin");

    static SandboxTools discover() {
        List<Path> dirs = searchPath(System.getenv("PATH"));
        return new SandboxTools(
                find(dirs, "sh").orElse(Path.of("/bin/sh")),
                find(dirs, "setsid"),
                find(dirs, "prlimit"),
                find(dirs, "bash"),
                find(dirs, "setpriv"),
                find(dirs, "unshare"),
                find(dirs, "kill"),
                currentUserIsRoot(),
                findAll(searchPath(System.getenv("PATH"), false), "python3"));
    }

    /** The directories of PATH, then the system directories not already in it. */
    static List<Path> searchPath(String path) {
        return searchPath(path, true);
    }

    private static List<Path> searchPath(String path, boolean withSystemDirs) {
        Set<Path> dirs = new LinkedHashSet<>();
        if (path != null) {
            for (String dir : path.split(":")) {
                if (!dir.isBlank()) {
                    dirs.add(Path.of(dir));
                }
            }
        }
        if (withSystemDirs) {
            SYSTEM_DIRS.forEach(d -> dirs.add(Path.of(d)));
        }
        return new ArrayList<>(dirs);
    }

    private static Optional<Path> find(List<Path> dirs, String name) {
        List<Path> all = findAll(dirs, name);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
    }

    private static List<Path> findAll(List<Path> dirs, String name) {
        List<Path> found = new ArrayList<>();
        for (Path dir : dirs) {
            Path candidate = dir.resolve(name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                found.add(candidate);
            }
        }
        return found;
    }

    private static boolean currentUserIsRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return "0".equals(line.split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or no /proc: fall through to the user name
        }
        return "root".equals(System.getProperty("user.name"));
    }
}
