package org.streamlab.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.streamlab.kernel.testkit.KernelTestKit;

/**
 * One kernel for this module's tests (one test JVM): the services a test starts stay up for the next, as in a
 * notebook, instead of every engine starting twice on a 2-core machine. Closed when the JVM exits.
 */
final class SharedKernel {
    private static KernelTestKit kit;

    private SharedKernel() {
    }

    static synchronized KernelTestKit get() {
        if (kit == null) {
            try {
                Path workspace = Files.createTempDirectory("streamlab-reliability-");
                kit = KernelTestKit.start(workspace);
                Runtime.getRuntime().addShutdownHook(new Thread(() -> kit.close(), "reliability-kernel-close"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return kit;
    }
}
