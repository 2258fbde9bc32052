package org.streamlab.clickhouse;

import java.nio.file.Path;
import java.util.Optional;

/** Child JVM for the watchdog test: starts an embedded server, prints its pid, then waits to be killed. */
public final class WatchdogProbe {
    public static void main(String[] args) throws Exception {
        EmbeddedClickHouse s = EmbeddedClickHouse.start(EmbeddedClickHouse.findBinary(Optional.empty()).orElseThrow(),
                Path.of(args[0]), 30_000);
        System.out.println("SERVER_PID " + s.pid());
        System.out.flush();
        Thread.sleep(600_000);
    }
}
