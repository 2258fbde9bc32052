package org.streamlab.platform;

import java.io.File;
import java.io.IOException;
import org.streamlab.kernel.ProcessTrees;

/**
 * Engines that run as child processes of the kernel (clickhouse-server, Feast's feature server): stopping them with
 * their descendants, and making sure they do not outlive a kernel killed with SIGKILL.
 */
public final class ChildProcesses {
    private ChildProcesses() {}

    /** Stops a process and its descendants: SIGTERM, then SIGKILL for whatever is left after {@code graceMillis}. */
    public static void killTree(Process p, long graceMillis) {
        ProcessTrees.killTree(p, graceMillis);
    }

    /**
     * A shell loop that kills {@code pid} once this JVM has gone (SIGTERM, then SIGKILL after
     * {@code killAfterSeconds}): covers kill -9 of the kernel, when no shutdown hook runs. It checks once a second
     * and exits by itself when the watched process ends.
     */
    public static Process watchdog(long pid, int killAfterSeconds) throws IOException {
        long jvm = ProcessHandle.current().pid();
        String script = "while kill -0 " + pid + " 2>/dev/null; do "
                + "if ! kill -0 " + jvm + " 2>/dev/null; then "
                + "kill -TERM " + pid + " 2>/dev/null; sleep " + killAfterSeconds + "; "
                + "kill -0 " + pid + " 2>/dev/null && kill -KILL " + pid + " 2>/dev/null; exit 0; fi; sleep 1; done";
        return new ProcessBuilder("/bin/sh", "-c", script)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
    }
}
