package org.streamlab.kernel;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Stopping a child process together with its descendants (a shell's commands, a server's workers). Lives in the
 * kernel because the kernel's own {@code %%bash} needs it; the engines' modules reach it through the platform's
 * {@code ChildProcesses}.
 */
public final class ProcessTrees {
    private ProcessTrees() {}

    /** Stops a process and its descendants: SIGTERM, then SIGKILL for whatever is left after {@code graceMillis}. */
    public static void killTree(Process p, long graceMillis) {
        List<ProcessHandle> children = p.descendants().toList();
        p.destroy();
        children.forEach(ProcessHandle::destroy);
        try {
            if (!p.waitFor(graceMillis, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(graceMillis);
        for (ProcessHandle c : children) {
            while (c.isAlive() && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            c.destroyForcibly();
        }
    }
}
