package org.streamlab.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamlab.kernel.testkit.CellOutcome;
import org.streamlab.kernel.testkit.KernelTestKit;

/** External mode: a Flink cluster in another JVM, reached through FLINK_REST_URL. */
class FlinkExternalTest {
    @TempDir
    Path dir;

    @Test
    void sqlJobRunsOnTheRemoteCluster() throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"),
                ExternalFlinkCluster.class.getName(), dir.resolve("cluster").toString()));
        Process cluster = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            String url = awaitUrl(cluster);
            try (KernelTestKit kit = KernelTestKit.start(Files.createDirectories(dir.resolve("ws")),
                    Map.of("FLINK_REST_URL", url))) {
                String services = kit.execSuccess("%services").text();
                assertTrue(services.contains("external") && services.contains(url), services);

                CellOutcome o = kit.execSuccess("""
                        %%flinksql
                        SELECT k, SUM(v) AS total
                        FROM (VALUES ('x', 1), ('y', 5), ('x', 10)) AS t(k, v)
                        GROUP BY k
                        """);
                FlinkSqlTest.assertRow(o.text(), "x", "11");
                FlinkSqlTest.assertRow(o.text(), "y", "5");
                assertTrue(!o.stdout().contains("starting the embedded"), o.stdout());
                String job = FlinkSqlTest.jobId(o.text());

                // the job ran on the remote cluster: its REST API knows it
                String jobs = kit.execSuccess("%flink jobs").text();
                assertTrue(jobs.contains(job) && jobs.contains("FINISHED") && jobs.contains(url), jobs);
                String remote = new String(new java.net.URL(url + "/jobs/" + job).openStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(remote.contains("\"state\":\"FINISHED\""), remote);

                // Java cells use the same cluster through the facade
                assertEquals(url, kit.eval("org.streamlab.flink.Flink.restUrl()"));
                // a lambda written in a cell runs in the other JVM: the cell classes are shipped with the job
                CellOutcome ds = kit.exec("""
                        var squares = new java.util.ArrayList<Long>();
                        try (var it = org.streamlab.flink.Flink.env().fromSequence(1, 4).map(x -> x * x + 1).executeAndCollect()) {
                            it.forEachRemaining(squares::add);
                        }
                        java.util.Collections.sort(squares);
                        squares.toString()
                        """);
                assertTrue(ds.ok(), ds.toString());
                assertEquals("[2, 5, 10, 17]", String.valueOf(ds.value()));
            }
        } finally {
            cluster.getOutputStream().close();
            if (!cluster.waitFor(20, TimeUnit.SECONDS)) {
                cluster.destroyForcibly();
            }
        }
    }

    @Test
    void clusterDownIsOneClearMessage() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        String url = "http://127.0.0.1:" + port;
        try (KernelTestKit kit = KernelTestKit.start(Files.createDirectories(dir.resolve("ws2")), Map.of("FLINK_REST_URL", url))) {
            String m = kit.execError("%%flinksql\nSELECT 1").errorMessage();
            assertTrue(m.contains(url) && m.contains("did not answer"), m);
            assertTrue(m.contains("FLINK_REST_URL"), m);
            String jobs = kit.execError("%flink jobs").errorMessage();
            assertTrue(jobs.contains(url), jobs);
            // the kernel lives on
            assertEquals(2, kit.eval("1 + 1"));
        }
    }

    private static String awaitUrl(Process p) throws Exception {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        String line;
        while (System.nanoTime() < deadline && (line = r.readLine()) != null) {
            if (line.startsWith("FLINK_REST_URL=")) {
                String url = line.substring("FLINK_REST_URL=".length()).strip();
                Thread drain = new Thread(() -> {
                    try {
                        while (r.readLine() != null) {
                            // keep the pipe from filling up
                        }
                    } catch (Exception ignored) {
                        // process ended
                    }
                }, "external-flink-output");
                drain.setDaemon(true);
                drain.start();
                return url;
            }
            seen.append(line).append('\n');
        }
        throw new AssertionError("the external Flink cluster did not start:\n" + seen);
    }
}
