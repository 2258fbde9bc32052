package org.streamlab.clickhouse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.lang.reflect.Proxy;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamlab.kernel.testkit.CellOutcome;
import org.streamlab.kernel.testkit.KernelTestKit;

/** Lifecycle: persistence across restarts, dying with the kernel, external mode, and the failures a user meets. */
class ClickHouseServiceTest {
    @TempDir
    Path tmp;

    @Test
    void dataSurvivesAKernelRestartOnTheSameWorkspace() {
        Path ws = tmp.resolve("ws");
        long firstPid;
        try (KernelTestKit kit = KernelTestKit.start(ws)) {
            kit.execSuccess("""
                    %%clickhouse
                    CREATE TABLE kept (id UInt32, ts DateTime) ENGINE = MergeTree() ORDER BY id;
                    INSERT INTO kept SELECT number, toDateTime('2024-01-01 00:00:00') + number * 7 FROM system.numbers LIMIT 5000
                    """);
            firstPid = pid(kit);
            assertTrue(ProcessHandle.of(firstPid).map(ProcessHandle::isAlive).orElse(false));
            // %services restart: a new process on the same data
            kit.execSuccess("%services restart clickhouse");
            assertTrue(kit.execHtml("%%clickhouse\nSELECT count() AS n FROM kept").contains("<td>5000</td>"));
        }
        assertTrue(Files.isDirectory(ws.resolve("clickhouse/data/metadata/default")), "data under the workspace");
        // the server stopped with the kernel
        assertFalse(ProcessHandle.of(firstPid).map(ProcessHandle::isAlive).orElse(false), "server outlived the kernel");
        try (KernelTestKit kit = KernelTestKit.start(ws)) {
            String html = kit.execHtml("%%clickhouse\nSELECT count() AS n, max(ts) AS last FROM kept");
            assertTrue(html.contains("<td>5000</td><td>2024-01-01 09:43:13</td>"), html);
        }
    }

    @Test
    void twoKernelsOnOneWorkspaceShareItsServer() {
        Path ws = tmp.resolve("ws");
        try (KernelTestKit first = KernelTestKit.start(ws)) {
            first.execSuccess("%%clickhouse\nCREATE TABLE shared_t (x UInt8) ENGINE = MergeTree() ORDER BY x; INSERT INTO shared_t VALUES (1)");
            long firstPid = pid(first);
            try (KernelTestKit second = KernelTestKit.start(ws)) {
                // one data folder can only have one server: the second notebook uses the first one's
                second.execSuccess("%%clickhouse\nINSERT INTO shared_t VALUES (2)");
                assertEquals(-1L, pid(second), "the second kernel started no server");
                assertTrue(second.execHtml("%services").contains("shared: run by another kernel"));
                assertTrue(first.execHtml("%%clickhouse\nSELECT sum(x) AS s FROM shared_t").contains("<td>3</td>"));
                first.close(); // the owner goes away: the second kernel runs its own server on the same data
                assertFalse(ProcessHandle.of(firstPid).map(ProcessHandle::isAlive).orElse(false));
                CellOutcome o = second.execSuccess("%%clickhouse\nSELECT sum(x) AS s FROM shared_t");
                assertTrue(o.html().contains("<td>3</td>"), o.toString());
                assertTrue(o.stderr().contains("starting one here"), o.stderr());
                assertTrue(pid(second) > 0);
            }
        }
    }

    @Test
    void aServerThatDiedIsStartedAgainWithItsData() throws Exception {
        try (KernelTestKit kit = KernelTestKit.start(tmp.resolve("ws"))) {
            kit.execSuccess("%%clickhouse\nCREATE TABLE t (x UInt8) ENGINE = MergeTree() ORDER BY x; INSERT INTO t VALUES (9)");
            long pid = pid(kit);
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            ProcessHandle.of(pid).ifPresent(p -> p.onExit().join());
            CellOutcome o = kit.execSuccess("%%clickhouse\nSELECT x FROM t");
            assertTrue(o.html().contains("<td>9</td>"), o.toString());
            assertTrue(o.stderr().contains("clickhouse-server had exited"), o.stderr());
            assertTrue(pid(kit) != pid);
        }
    }

    @Test
    void serverDiesWhenTheKernelJvmIsKilled() throws Exception {
        // a child JVM starts a server and is then killed with SIGKILL: no shutdown hook runs, the watchdog must act
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                WatchdogProbe.class.getName(), tmp.resolve("probe").toString())
                .redirectErrorStream(true).start();
        long serverPid = -1;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("SERVER_PID ")) {
                    serverPid = Long.parseLong(line.substring(11).strip());
                    break;
                }
            }
        }
        assertTrue(serverPid > 0, "child did not start a server");
        ProcessHandle server = ProcessHandle.of(serverPid).orElseThrow();
        assertTrue(server.isAlive());
        child.destroyForcibly().waitFor();
        try {
            server.onExit().get(30, TimeUnit.SECONDS);
        } finally {
            server.destroyForcibly();
        }
        assertFalse(server.isAlive());
    }

    @Test
    void externalModeUsesTheServerAtClickhouseUrl() throws Exception {
        try (SeparateClickHouseServer external = SeparateClickHouseServer.start(tmp.resolve("external"));
             KernelTestKit kit = KernelTestKit.start(tmp.resolve("ws"), Map.of("CLICKHOUSE_URL", external.url()))) {
            kit.execSuccess("""
                    %%clickhouse
                    CREATE TABLE orders (id UInt32, amount Float64) ENGINE = MergeTree() ORDER BY id;
                    INSERT INTO orders SELECT number, number * 2 FROM system.numbers LIMIT 100
                    """);
            // the rows are on the external server, read here without the kernel
            assertEquals("100\t9900", external.query("SELECT count(), sum(amount) FROM orders"));
            String services = kit.execHtml("%services");
            assertTrue(services.contains("<td>clickhouse</td><td>external</td><td>" + external.url() + " (ClickHouse 18.16"), services);
            assertFalse(Files.exists(tmp.resolve("ws/clickhouse/data")), "no embedded server in external mode");
            assertEquals(-1L, ((Number) kit.eval("org.streamlab.clickhouse.ClickHouse.service().serverPid()")).longValue());

            external.close(); // the server goes away during the session
            String m = kit.execError("%%clickhouse\nSELECT count() FROM orders").errorMessage();
            assertTrue(m.contains("ClickHouse at " + external.url() + " does not answer"), m);
            assertTrue(m.contains("CLICKHOUSE_URL"), m);
            assertEquals(2, kit.eval("1 + 1"), "kernel alive");
        }
    }

    @Test
    void externalAddressThatDoesNotAnswer() throws Exception {
        String url = "http://127.0.0.1:" + SeparateClickHouseServer.freePort();
        try (KernelTestKit kit = KernelTestKit.start(tmp.resolve("ws"), Map.of("CLICKHOUSE_URL", url))) {
            String m = kit.execError("%%clickhouse\nSELECT 1").errorMessage();
            assertTrue(m.contains("ClickHouse at " + url + " does not answer (CLICKHOUSE_URL=" + url + ")"), m);
            assertTrue(m.contains("set the environment variable CLICKHOUSE_URL"), m);
            assertTrue(m.contains("unset CLICKHOUSE_URL to use the embedded server"), m);
            assertEquals(2, kit.eval("1 + 1"), "kernel alive");
            String bad = kit.execError("%%clickhouse\nSELECT 1").errorMessage();
            assertTrue(bad.contains("does not answer"), "a second try says the same: " + bad);
        }
    }

    @Test
    void missingBinarySaysHowToInstall() {
        try (KernelTestKit kit = KernelTestKit.start(tmp.resolve("ws"),
                Map.of("CLICKHOUSE_BINARY", tmp.resolve("nowhere/clickhouse-server").toString()))) {
            String m = kit.execError("%%clickhouse\nSELECT 1").errorMessage();
            assertTrue(m.contains("is not an executable file"), m);
            assertTrue(m.contains("install-clickhouse.sh"), m);
            assertTrue(m.contains("CLICKHOUSE_URL"), m);
            assertEquals(2, kit.eval("1 + 1"), "kernel alive");
        }
    }

    @Test
    void theOfficialDriverLoadsAndItsFailureOn1816IsReadable() {
        // the official driver does not speak to 18.16 (PLATFORM-NOTES); forcing it must still end in a clear error
        try (KernelTestKit kit = KernelTestKit.start(tmp.resolve("ws"), Map.of("CLICKHOUSE_JDBC", "official"))) {
            CellOutcome o = kit.exec("%%clickhouse\nSELECT 1 AS one");
            if (o.ok()) {
                assertTrue(o.html().contains("<td>1</td>"), o.toString());
            } else {
                String m = o.errorMessage();
                assertTrue(m.startsWith("Error: ClickHouse"), m);
                assertFalse(m.contains("Internal error") || m.contains("\tat "), m);
            }
            String url = (String) kit.eval("org.streamlab.clickhouse.ClickHouse.url()");
            assertTrue(url.startsWith("jdbc:clickhouse:http://127.0.0.1:"), url);
            assertEquals(false, kit.eval("org.streamlab.clickhouse.ClickHouse.service().usesLegacyDriver()"));
        }
    }

    @Test
    void theInstalledBinaryIsFound() {
        Optional<EmbeddedClickHouse.Binary> b = EmbeddedClickHouse.findBinary(Optional.empty());
        assertTrue(b.isPresent(), "run magics/clickhouse/install-clickhouse.sh first");
        assertTrue(Files.isExecutable(b.get().path()));
    }

    @Test
    void registrationLoadsNoDriverClass() throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            urls.add(Path.of(entry).toUri().toURL());
        }
        try (Isolated cl = new Isolated(urls.toArray(URL[]::new))) {
            Class<?> contextType = cl.loadClass("org.streamlab.kernel.spi.ExtensionContext");
            Object config = cl.loadClass("org.streamlab.kernel.KernelConfig").getMethod("load", Map.class, Path.class)
                    .invoke(null, Map.of(), tmp);
            List<String> magics = new ArrayList<>();
            Object context = Proxy.newProxyInstance(cl, new Class<?>[] {contextType}, (proxy, m, a) -> switch (m.getName()) {
                case "config" -> config;
                case "addMagic" -> {
                    magics.add((String) a[0].getClass().getMethod("name").invoke(a[0]));
                    yield null;
                }
                case "hashCode" -> System.identityHashCode(proxy);
                case "equals" -> proxy == a[0];
                default -> null;
            });
            Object extension = cl.loadClass("org.streamlab.clickhouse.ClickHouseExtension").getConstructor().newInstance();
            cl.loadClass("org.streamlab.kernel.spi.KernelExtension").getMethod("register", contextType).invoke(extension, context);
            assertTrue(magics.contains("clickhouse"), magics.toString());
            assertTrue(cl.loaded("org.streamlab.clickhouse.ClickHouseService"));
            for (String driverClass : List.of("ru.yandex.clickhouse.ClickHouseDriver", "com.clickhouse.jdbc.ClickHouseDriver",
                    "com.clickhouse.jdbc.Driver", "org.streamlab.clickhouse.JdbcDrivers", "org.streamlab.clickhouse.EmbeddedClickHouse",
                    "tech.tablesaw.api.Table", "org.knowm.xchart.XYChart")) {
                assertFalse(cl.loaded(driverClass), driverClass + " was loaded at registration");
            }
        }
    }

    private static final class Isolated extends URLClassLoader {
        Isolated(URL[] urls) {
            super(urls, ClassLoader.getPlatformClassLoader());
        }

        boolean loaded(String name) {
            return findLoadedClass(name) != null;
        }
    }

    private static long pid(KernelTestKit kit) {
        return ((Number) kit.eval("org.streamlab.clickhouse.ClickHouse.service().serverPid()")).longValue();
    }
}
