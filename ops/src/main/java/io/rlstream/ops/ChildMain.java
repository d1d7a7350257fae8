package io.rlstream.ops;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * Entry point of the child processes that ops starts (internal): watches the parent JVM and exits
 * when it is gone, even if it was killed hard and its shutdown hooks never ran, then runs the real
 * main class. Usage: {@code java -Drlstream.parent.pid=PID io.rlstream.ops.ChildMain MAIN_CLASS ARGS...}.
 */
public final class ChildMain {

    private ChildMain() {
    }

    public static void main(String[] args) throws Throwable {
        if (args.length == 0) {
            System.err.println("usage: ChildMain MAIN_CLASS [ARGS...]");
            System.exit(2);
        }
        exitWithParent();
        Method main = Class.forName(args[0]).getMethod("main", String[].class);
        try {
            main.invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /**
     * Starts a daemon thread that exits this JVM once the process named by the
     * {@code rlstream.parent.pid} system property is no longer alive (shutdown hooks run; the JVM
     * halts if they take longer than 20 s). Does nothing without the property.
     */
    static void exitWithParent() {
        String pid = System.getProperty(ChildProcesses.PARENT_PID_PROPERTY);
        if (pid == null || pid.isBlank()) {
            return;
        }
        long parentPid = Long.parseLong(pid.trim());
        Thread watchdog = new Thread(() -> {
            while (ProcessHandle.of(parentPid).map(ProcessHandle::isAlive).orElse(false)) {
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                }
            }
            System.err.println("rlstream: parent process " + parentPid + " is gone; exiting");
            Thread halter = new Thread(() -> {
                try {
                    Thread.sleep(20_000);
                } catch (InterruptedException ignored) {
                    // halt anyway
                }
                Runtime.getRuntime().halt(1);
            }, "rlstream-halt");
            halter.setDaemon(true);
            halter.start();
            System.exit(0);
        }, "rlstream-parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }
}
