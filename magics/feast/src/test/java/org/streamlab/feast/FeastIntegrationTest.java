package org.streamlab.feast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamlab.feast.FeastTests.Stat;
import org.streamlab.kernel.testkit.CellOutcome;
import org.streamlab.kernel.testkit.KernelTestKit;
import org.streamlab.platform.ChildProcesses;

/** Against the real feast CLI and feature server: apply, materialize, online reads, training sets, external mode. */
class FeastIntegrationTest {
    static final Duration TTL = Duration.ofHours(20);

    @TempDir
    Path tmp;
    Path feast;

    @BeforeEach
    void requireFeast() {
        feast = FeastTests.feastOrSkip();
    }

    private KernelTestKit kernel(Path ws, Map<String, String> extra) {
        Map<String, String> config = new java.util.HashMap<>(Map.of("FEAST_BIN", feast.toString(), "FEAST_URL", ""));
        config.putAll(extra);
        return KernelTestKit.start(ws, config);
    }

    /** The latest stat of a driver with an event time in [from, to]: what materialization must have copied. */
    static Optional<Stat> latest(long driver, LocalDateTime from, LocalDateTime to) {
        return FeastTests.STATS.stream().filter(s -> s.driverId() == driver)
                .filter(s -> !LocalDateTime.parse(s.eventTs()).isBefore(from) && !LocalDateTime.parse(s.eventTs()).isAfter(to))
                .max(Comparator.comparing(s -> LocalDateTime.parse(s.eventTs())));
    }

    private void applyAndWriteData(KernelTestKit kit) throws Exception {
        Path repo = (Path) kit.eval("org.streamlab.feast.Feast.repo()");
        FeastTests.writeStats(feast, repo.resolve("data/driver_stats"));
        CellOutcome applied = kit.execSuccess("%%feast apply\n" + FeastTests.DEFINITIONS);
        assertTrue(applied.stdout().contains("driver_stats"), applied.stdout());
    }

    @Test
    void applyMaterializeServeOnlineAndAPointInTimeCorrectTrainingSet() throws Exception {
        Path ws = tmp.resolve("ws");
        long serverPid;
        try (KernelTestKit kit = kernel(ws, Map.of())) {
            applyAndWriteData(kit);
            assertTrue(Files.exists(ws.resolve("feast/repo/feature_store.yaml")));
            assertTrue(kit.execSuccess("%feast cli feature-views list").stdout().contains("driver_stats"));

            LocalDateTime start = LocalDateTime.parse("2026-01-01T00:00:00");
            LocalDateTime end = LocalDateTime.parse("2026-01-01T12:30:00");
            kit.execSuccess("%feast materialize " + start + " " + end);
            kit.execSuccess("%feast features driver_id=1001,1002,9999 --features driver_stats:trips,driver_stats:conv_rate --into online");
            for (int row = 0; row < 2; row++) {
                long driver = row == 0 ? 1001 : 1002;
                Stat want = latest(driver, start, end).orElseThrow();
                assertEquals(driver, kit.eval("online.value(" + row + ", \"driver_id\")"));
                assertEquals(want.trips(), kit.eval("online.value(" + row + ", \"trips\")"), "trips of " + driver);
                assertEquals(want.convRate(), kit.eval("online.value(" + row + ", \"conv_rate\")"));
                assertEquals(want.eventTs() + "Z", kit.eval("online.eventTime(" + row + ", \"trips\")"));
            }
            assertNull(kit.eval("online.value(2, \"trips\")"));
            assertEquals("NOT_FOUND", kit.eval("online.status(2, \"trips\")"));
            serverPid = (Long) kit.eval("org.streamlab.feast.Feast.service().serverPid()");
            assertTrue(ProcessHandle.of(serverPid).map(ProcessHandle::isAlive).orElse(false));

            // a later materialization window brings the newer value; the Java client sees it over HTTP
            LocalDateTime later = LocalDateTime.parse("2026-01-02T12:00:00");
            kit.execSuccess("%feast materialize " + end + " " + later);
            Object trips = kit.eval("org.streamlab.feast.Feast.onlineFeatures(List.of(\"driver_stats:trips\"), \"driver_id\", 1001).value(0, \"trips\")");
            assertEquals(latest(1001, start, later).orElseThrow().trips(), trips);
            String html = kit.execHtml("org.streamlab.feast.Feast.onlineFeatures(List.of(\"driver_stats:trips\"), \"driver_id\", 1001, 1002)");
            assertTrue(html.contains("<th>trips</th>") && html.contains("<td>1001</td><td>20</td>"), html);

            // a training set: each entity row gets the values as of its own time, within the view's ttl
            String[][] entityRows = {
                    {"1001", "2026-01-01T09:00:00"}, {"1001", "2026-01-01T11:00:00"}, {"1001", "2026-01-01T12:00:00"},
                    {"1002", "2026-01-01T11:15:00"}, {"1002", "2026-01-02T08:00:00"}, {"1001", "2026-01-02T08:00:00"},
                    {"1003", "2026-01-01T12:00:00"}, {"1001", "2026-01-02T10:00:00"}};
            StringBuilder csv = new StringBuilder("driver_id,event_timestamp,label\n");
            for (int i = 0; i < entityRows.length; i++) {
                csv.append(entityRows[i][0]).append(',').append(entityRows[i][1]).append(',').append(i % 2).append('\n');
            }
            Path labels = tmp.resolve("labels.csv");
            Files.writeString(labels, csv);
            kit.execSuccess("%feast training --entities " + labels + " --features driver_stats:trips,driver_stats:conv_rate --into ts");
            assertEquals((long) entityRows.length, kit.eval("ts.rowCount()"));
            for (int i = 0; i < entityRows.length; i++) {
                long driver = Long.parseLong(entityRows[i][0]);
                LocalDateTime t = LocalDateTime.parse(entityRows[i][1]);
                Optional<Stat> asOf = latest(driver, t.minus(TTL), t);
                assertEquals(driver, kit.eval("ts.value(" + i + ", \"driver_id\")"), "row order kept");
                assertEquals((long) (i % 2), kit.eval("ts.value(" + i + ", \"label\")"));
                Object got = kit.eval("ts.value(" + i + ", \"trips\")");
                if (asOf.isEmpty()) {
                    assertNull(got, "row " + i + " " + driver + " at " + t + " has no valid value");
                } else {
                    assertEquals((double) asOf.get().trips(), ((Number) got).doubleValue(), "row " + i + " " + driver + " at " + t);
                }
            }
            assertTrue(Files.size(Path.of((String) kit.eval("ts.path().toString()"))) > 0);
        }
        // the kernel's shutdown stopped the feature server
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (ProcessHandle.of(serverPid).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertFalse(ProcessHandle.of(serverPid).map(ProcessHandle::isAlive).orElse(false), "feast serve outlived the kernel");
    }

    @Test
    void definitionErrorsAndUnknownFeaturesGiveFeastsMessage() throws Exception {
        try (KernelTestKit kit = kernel(tmp.resolve("ws"), Map.of())) {
            CellOutcome bad = kit.execError("%%feast apply\nfrom feast import Entity\ndriver = Entity(name=\"driver\", join_keys=[\"driver_id\"]\n");
            assertTrue(bad.errorMessage().contains("feast apply failed") && bad.errorMessage().contains("SyntaxError"), bad.errorMessage());
            applyAndWriteData(kit);
            CellOutcome unknown = kit.execError("%feast features driver_id=1001 --features nope:trips");
            assertTrue(unknown.errorMessage().contains("Feature view nope does not exist"), unknown.errorMessage());
            CellOutcome wrongKey = kit.execError("%feast features user_id=1001 --features driver_stats:trips");
            assertTrue(wrongKey.errorMessage().contains("driver_id"), wrongKey.errorMessage());
            CellOutcome noData = kit.execError("%feast training --entities " + tmp.resolve("missing.parquet") + " --features driver_stats:trips");
            assertTrue(noData.errorMessage().contains("entity rows not found"), noData.errorMessage());
            // the kernel is still usable
            assertEquals(2, kit.eval("1 + 1"));
        }
    }

    @Test
    void interruptStopsARunningFeastCommand() throws Exception {
        try (KernelTestKit kit = kernel(tmp.resolve("ws"), Map.of())) {
            applyAndWriteData(kit);
            // feast takes seconds to import: interrupted while it runs
            CellOutcome o = kit.execInterrupted("%feast materialize 2026-01-01T00:00:00 2026-01-02T00:00:00", Duration.ofMillis(1500));
            assertFalse(o.ok());
            assertTrue(o.errorMessage().contains("interrupted"), o.errorMessage());
            List<String> left = new ArrayList<>();
            ProcessHandle.current().descendants().forEach(p -> p.info().commandLine()
                    .filter(c -> c.contains("materialize")).ifPresent(left::add));
            assertEquals(List.of(), left, "feast materialize still running");
            // a feast command started from a Java cell stops too (the kernel's interrupt hook kills it)
            CellOutcome java = kit.execInterrupted(
                    "org.streamlab.feast.Feast.materialize(Instant.parse(\"2026-01-01T00:00:00Z\"), Instant.parse(\"2026-01-02T00:00:00Z\"))",
                    Duration.ofMillis(1500));
            assertFalse(java.ok());
            Thread.sleep(500);
            ProcessHandle.current().descendants().forEach(p -> p.info().commandLine()
                    .filter(c -> c.contains("materialize")).ifPresent(left::add));
            assertEquals(List.of(), left, "feast materialize started from Java still running");
            // the same command runs to the end when not interrupted
            kit.execSuccess("%feast materialize 2026-01-01T00:00:00 2026-01-02T00:00:00");
        }
    }

    @Test
    void externalFeatureServerByUrlAndAClearMessageWhenItIsDown() throws Exception {
        Path repo = tmp.resolve("shared-repo");
        try (KernelTestKit kit = kernel(tmp.resolve("ws1"), Map.of("FEAST_REPO", repo.toString()))) {
            applyAndWriteData(kit);
            kit.execSuccess("%feast materialize 2026-01-01T00:00:00 2026-01-01T12:30:00");
        }
        int port = FeatureServer.freePort();
        ProcessBuilder pb = new ProcessBuilder(feast.toString(), "serve", "-h", "127.0.0.1", "-p", Integer.toString(port), "--no-access-log")
                .directory(repo.toFile()).redirectErrorStream(true).redirectOutput(tmp.resolve("external.log").toFile())
                .redirectInput(new File("/dev/null"));
        pb.environment().put("FEAST_USAGE", "False");
        pb.environment().put("XDG_RUNTIME_DIR", tmp.toString());
        Process external = pb.start();
        String url = "http://127.0.0.1:" + port;
        try {
            FeastClient probe = new FeastClient(url);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (!probe.healthy(500)) {
                assertTrue(external.isAlive(), "the separate feast serve died: " + Files.readString(tmp.resolve("external.log")));
                assertTrue(System.nanoTime() < deadline, "the separate feast serve did not start");
                Thread.sleep(200);
            }
            try (KernelTestKit kit = kernel(tmp.resolve("ws2"), Map.of("FEAST_URL", url, "FEAST_REPO", repo.toString()))) {
                assertTrue(kit.execSuccess("%feast serve").text().contains(url));
                kit.execSuccess("%feast features driver_id=1001,1002 --features driver_stats:trips --into online");
                assertEquals(latest(1001, LocalDateTime.MIN, LocalDateTime.parse("2026-01-01T12:30:00")).orElseThrow().trips(),
                        kit.eval("online.value(0, \"trips\")"));
                assertEquals(-1L, kit.eval("org.streamlab.feast.Feast.service().serverPid()"), "no embedded server in external mode");
                assertTrue(kit.execSuccess("%services").allText().contains(url));

                ChildProcesses.killTree(external, 10_000);
                CellOutcome down = kit.execError("%feast features driver_id=1001 --features driver_stats:trips");
                assertTrue(down.errorMessage().contains("the Feast feature server at " + url + " (FEAST_URL) does not answer"),
                        down.errorMessage());
                assertTrue(down.errorMessage().contains("feast serve"), down.errorMessage());
            }
        } finally {
            ChildProcesses.killTree(external, 10_000);
        }
    }

    @Test
    void aServerThatWasNeverThereIsNamedAtStart() throws Exception {
        String url = "http://127.0.0.1:" + FeatureServer.freePort();
        try (KernelTestKit kit = kernel(tmp.resolve("ws"), Map.of("FEAST_URL", url))) {
            CellOutcome o = kit.execError("%feast features driver_id=1 --features driver_stats:trips");
            assertTrue(o.errorMessage().contains("the Feast feature server at " + url + " (FEAST_URL) does not answer"), o.errorMessage());
            assertTrue(o.errorMessage().contains("unset FEAST_URL"), o.errorMessage());
        }
    }
}
