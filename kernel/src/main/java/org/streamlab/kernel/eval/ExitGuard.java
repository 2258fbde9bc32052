package org.streamlab.kernel.eval;

import java.security.Permission;

/**
 * Keeps {@code System.exit} in a cell from killing the kernel: the exit is refused with a
 * SecurityException when notebook code is on the stack. Everything else is allowed, so the guard
 * costs one virtual call per permission check.
 */
@SuppressWarnings("removal")
public final class ExitGuard extends SecurityManager {
    private static volatile boolean installed;

    private ExitGuard() {}

    public static synchronized void install() {
        if (installed) {
            return;
        }
        try {
            System.setSecurityManager(new ExitGuard());
            installed = true;
        } catch (UnsupportedOperationException e) {
            // JVM started with -Djava.security.manager=disallow: cells could end the kernel with System.exit
            System.err.println("StreamLab: System.exit in cells is not guarded (" + e.getMessage() + ")");
        }
    }

    @Override
    public void checkPermission(Permission perm) {
        // everything is allowed
    }

    @Override
    public void checkPermission(Permission perm, Object context) {
        // everything is allowed
    }

    @Override
    public void checkExit(int status) {
        boolean fromCell = StackWalker.getInstance().walk(frames ->
                frames.anyMatch(f -> f.getClassName().startsWith("REPL.")));
        if (fromCell) {
            throw new SecurityException("System.exit(" + status + ") is not allowed in a notebook: it would end the kernel."
                    + " Use Kernel > Restart to start over.");
        }
    }
}
