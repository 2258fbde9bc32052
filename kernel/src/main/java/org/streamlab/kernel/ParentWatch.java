package org.streamlab.kernel;

import java.util.Optional;

/** Ends the kernel when the process that started it (Jupyter, nbclient) is gone. */
final class ParentWatch {
    private ParentWatch() {}

    static void exitWhenParentDies(Runnable exit) {
        Optional<ProcessHandle> parent = Optional.ofNullable(System.getenv("JPY_PARENT_PID"))
                .flatMap(pid -> {
                    try {
                        return ProcessHandle.of(Long.parseLong(pid.strip()));
                    } catch (NumberFormatException e) {
                        return Optional.empty();
                    }
                })
                .or(() -> ProcessHandle.current().parent());
        parent.ifPresent(p -> p.onExit().thenRun(exit));
    }
}
