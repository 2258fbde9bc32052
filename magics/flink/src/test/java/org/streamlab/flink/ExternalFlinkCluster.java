package org.streamlab.flink;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A Flink cluster in its own process, for external-mode tests: a MiniCluster with REST on a free loopback
 * port. Prints {@code FLINK_REST_URL=http://127.0.0.1:PORT} when ready; stops when its stdin closes.
 * <pre>java -cp "$CLASSPATH" org.streamlab.flink.ExternalFlinkCluster /tmp/flink-data</pre>
 */
public final class ExternalFlinkCluster {
    public static void main(String[] args) throws Exception {
        Path dir = Files.createDirectories(Path.of(args.length > 0 ? args[0] : "target/external-flink"));
        try (FlinkEngine engine = FlinkEngine.embedded(dir)) {
            System.out.println("FLINK_REST_URL=" + engine.restUrl());
            System.out.flush();
            while (System.in.read() >= 0) {
                // wait for the parent to close our stdin
            }
        }
        System.exit(0);
    }
}
