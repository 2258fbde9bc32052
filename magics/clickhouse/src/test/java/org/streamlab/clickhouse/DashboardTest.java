package org.streamlab.clickhouse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamlab.kernel.UserError;
import org.streamlab.kernel.testkit.KernelTestKit;

/** {@code %clickhouse dashboard} and its HTTP endpoints, against the real embedded clickhouse-server. */
class DashboardTest {
    @TempDir
    static Path workspace;
    static KernelTestKit kit;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void startKernel() {
        kit = KernelTestKit.start(workspace);
        kit.execSuccess("""
                %%clickhouse
                CREATE TABLE sales (day Date, shop String, amount UInt32) ENGINE = MergeTree() ORDER BY (shop, day);
                INSERT INTO sales SELECT toDate('2024-03-01') + number % 5, concat('shop', toString(number % 3)), number
                  FROM system.numbers LIMIT 300
                """);
    }

    @AfterAll
    static void stopKernel() {
        if (kit != null) {
            kit.close();
        }
    }

    static HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    static String query(String base, String sql) {
        return base + "api/query?sql=" + URLEncoder.encode(sql, StandardCharsets.UTF_8);
    }

    static String startedUrl(String cell) {
        String html = kit.execHtml(cell);
        Matcher m = Pattern.compile("href=\"(http://127\\.0\\.0\\.1:\\d+/)\"").matcher(html);
        assertTrue(m.find(), html);
        return m.group(1);
    }

    @Test
    void behindJupyterHubTheLinkGoesThroughTheServersProxy() {
        kit.execSuccess("%env JUPYTERHUB_SERVICE_PREFIX=/user/ada/");
        try {
            String html = kit.execHtml("%clickhouse dashboard");
            Matcher m = Pattern.compile("href=\"/user/ada/proxy/(\\d+)/\"").matcher(html);
            assertTrue(m.find(), html);
            assertTrue(html.contains("http://127.0.0.1:" + m.group(1) + "/"), "the direct address is shown too: " + html);
        } finally {
            kit.execSuccess("%env JUPYTERHUB_SERVICE_PREFIX=");
            kit.execSuccess("%clickhouse dashboard stop");
        }
    }

    @Test
    void panelQueryIsServedWithClickHousesNumbers() throws Exception {
        kit.execSuccess("""
                %%clickhouse --chart bar --x shop --y total --panel "sales per shop"
                SELECT shop, sum(amount) AS total FROM sales GROUP BY shop ORDER BY shop
                """);
        String base = startedUrl("%clickhouse dashboard --refresh 0.5");
        try {
            HttpResponse<String> page = get(base);
            assertEquals(200, page.statusCode());
            assertTrue(page.body().contains("document.createElement(\"canvas\")") && page.body().contains("getContext(\"2d\")"),
                    "the page draws its charts on canvases it creates");
            assertFalse(page.body().contains("src=\"http"), "no external script: the page must work offline");

            String panels = get(base + "api/panels").body();
            assertTrue(panels.contains("\"name\":\"sales per shop\""), panels);
            assertTrue(panels.contains("\"chart\":\"bar\",\"x\":\"shop\",\"y\":\"total\""), panels);
            assertTrue(panels.contains("\"refreshMillis\":500"), panels);

            HttpResponse<String> r = get(query(base, "SELECT shop, sum(amount) AS total FROM sales GROUP BY shop ORDER BY shop"));
            assertEquals(200, r.statusCode(), r.body());
            long expected0 = 0;
            for (int i = 0; i < 300; i += 3) {
                expected0 += i;
            }
            // numbers unquoted (output_format_json_quote_64bit_integers=0): the page sums them directly
            assertTrue(r.body().replaceAll("\\s", "").contains("[\"shop0\"," + expected0 + "]"), r.body());
            assertTrue(r.body().contains("\"rows_read\""), r.body());
        } finally {
            kit.execSuccess("%clickhouse dashboard stop");
        }
        assertThrows(ConnectException.class, () -> get(base), "stopped: nothing listens any more");
    }

    @Test
    void writesAreRefusedByClickHouseAndBadSqlGivesOneMessage() throws Exception {
        String base = startedUrl("%clickhouse dashboard");
        try {
            HttpResponse<String> drop = get(query(base, "DROP TABLE sales"));
            assertEquals(400, drop.statusCode());
            assertTrue(drop.body().contains("readonly mode") && drop.body().contains("SELECT, without SETTINGS"), drop.body());
            assertTrue(kit.execSuccess("%%clickhouse\nSELECT count() AS n FROM sales").html().contains("<td>300</td>"),
                    "the table survived the DROP sent to the dashboard");

            // the limits cannot be lifted by the query, and table functions (url, file, remote) are refused
            HttpResponse<String> lifted = get(query(base, "SELECT value FROM system.settings WHERE name = 'max_execution_time'"
                    + " SETTINGS max_execution_time = 0"));
            assertEquals(400, lifted.statusCode(), lifted.body());
            assertTrue(lifted.body().contains("readonly mode"), lifted.body());
            HttpResponse<String> limits = get(query(base, "SELECT name, value FROM system.settings"
                    + " WHERE name IN ('readonly', 'max_execution_time') ORDER BY name"));
            assertTrue(limits.body().replaceAll("\\s", "").contains("[\"max_execution_time\",\"10\"],[\"readonly\",\"1\"]"), limits.body());
            HttpResponse<String> fetch = get(query(base, "SELECT * FROM url('http://127.0.0.1:1/', TSV, 'x String')"));
            assertEquals(400, fetch.statusCode(), fetch.body());
            assertTrue(fetch.body().contains("Table functions are forbidden"), fetch.body());

            HttpResponse<String> bad = get(query(base, "SELEC shop FROM sales"));
            assertEquals(400, bad.statusCode());
            assertTrue(bad.body().startsWith("{\"error\":\"ClickHouse: Syntax error"), bad.body());
            assertFalse(bad.body().contains("e.what()") || bad.body().contains("\\n"), "one line: " + bad.body());

            HttpResponse<String> format = get(query(base, "SELECT 1 FORMAT CSV"));
            assertEquals(400, format.statusCode());
            assertTrue(format.body().contains("leave out the FORMAT clause"), format.body());

            HttpResponse<String> none = get(base + "api/query");
            assertEquals(400, none.statusCode());
            assertEquals(404, get(base + "nothing-here").statusCode());
        } finally {
            kit.execSuccess("%clickhouse dashboard stop");
        }
    }

    @Test
    void onlyLoopbackHostNamesAreServed() throws Exception {
        String base = startedUrl("%clickhouse dashboard");
        try {
            int port = URI.create(base).getPort();
            assertTrue(rawGet(port, "localhost:" + port).startsWith("HTTP/1.1 200"));
            // a page of another site whose name was re-bound to 127.0.0.1 (DNS rebinding)
            String rebound = rawGet(port, "attacker.example:" + port);
            assertTrue(rebound.startsWith("HTTP/1.1 403"), rebound);
            assertTrue(rebound.contains("serves only 127.0.0.1 and localhost"), rebound);
        } finally {
            kit.execSuccess("%clickhouse dashboard stop");
        }
    }

    /** GET /api/panels with a chosen Host header (java.net.http does not let a test set it). */
    static String rawGet(int port, String host) throws IOException {
        try (java.net.Socket s = new java.net.Socket(InetAddress.getLoopbackAddress(), port)) {
            s.getOutputStream().write(("GET /api/panels HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aStoppedServiceIsReportedNotRestartedByThePage() throws Exception {
        String base = startedUrl("%clickhouse dashboard");
        try {
            kit.execSuccess("%services stop clickhouse");
            HttpResponse<String> r = get(query(base, "SELECT 1"));
            assertEquals(503, r.statusCode(), r.body());
            assertTrue(r.body().contains("clickhouse is stopped") && r.body().contains("%services start clickhouse"), r.body());
            assertEquals(org.streamlab.platform.ServiceState.STOPPED, ClickHouse.service().state(), "the page must not start it");
        } finally {
            kit.execSuccess("%clickhouse dashboard stop");
            kit.execSuccess("%services start clickhouse");
        }
    }

    @Test
    void aTakenPortIsOneReadableError() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            String m = kit.execError("%clickhouse dashboard --port " + port).errorMessage();
            assertTrue(m.contains("port " + port + " is taken"), m);
            assertTrue(m.contains("--port N"), m);
        }
        // and the kernel is fine: a free port works
        startedUrl("%clickhouse dashboard");
        kit.execSuccess("%clickhouse dashboard stop");
    }

    @Test
    void badArgumentsAreUsageErrors() {
        assertTrue(kit.execError("%clickhouse dashboard --port 70000").errorMessage().contains("--port must be between 1 and 65535"));
        assertTrue(kit.execError("%clickhouse dashboard --port eighty").errorMessage().contains("--port expects a whole number"));
        assertTrue(kit.execError("%clickhouse dashboard --refresh 0").errorMessage().contains("--refresh is in seconds"));
        assertTrue(kit.execError("%clickhouse dashbord").errorMessage().contains("unknown subcommand dashbord"));
        assertTrue(kit.execError("%clickhouse dashboard pause").errorMessage().contains("unknown dashboard action pause"));
        assertTrue(kit.execError("%clickhouse dashboard remove nosuch").errorMessage().contains("no dashboard panel named nosuch"));
        assertTrue(kit.execError("%%clickhouse --panel \"\"\nSELECT 1").errorMessage().contains("--panel needs a name"));
        assertTrue(kit.execError("%%clickhouse --panel empty\nCREATE TABLE IF NOT EXISTS sales_copy AS sales")
                .errorMessage().contains("--panel needs rows"));
        assertTrue(kit.execError("%%clickhouse --panel wrong --chart bar --x nosuch --y total\nSELECT shop, sum(amount) AS total FROM sales GROUP BY shop")
                .errorMessage().contains("nosuch"));
        assertFalse(ClickHouse.dashboard().panelNames().contains("empty") || ClickHouse.dashboard().panelNames().contains("wrong"),
                "a failed cell leaves no panel: " + ClickHouse.dashboard().panelNames());
    }

    @Test
    void clickHouseDownIsReportedByThePageEndpoint() throws Exception {
        int dead;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            dead = s.getLocalPort(); // closed again: nothing answers there
        }
        Dashboard d = new Dashboard(() -> Endpoint.local(dead)).start(0, 1000);
        try {
            HttpResponse<String> r = get(query(d.url(), "SELECT 1"));
            assertEquals(503, r.statusCode());
            assertTrue(r.body().contains("ClickHouse at http://127.0.0.1:" + dead + " does not answer"), r.body());
            assertTrue(r.body().contains("%services start clickhouse"), r.body());
        } finally {
            d.stop();
        }
        Dashboard failing = new Dashboard(() -> {
            throw new UserError("clickhouse-server is not installed (not found on PATH)", "install it");
        }).start(0, 1000);
        try {
            HttpResponse<String> r = get(query(failing.url(), "SELECT 1"));
            assertEquals(503, r.statusCode());
            assertTrue(r.body().contains("not installed"), r.body());
        } finally {
            failing.stop();
        }
    }

    @Test
    void clickHouseDownStopsTheMagicWithTheAddress(@TempDir Path tmp) throws IOException {
        int dead;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            dead = s.getLocalPort();
        }
        String url = "http://127.0.0.1:" + dead;
        try (KernelTestKit other = KernelTestKit.start(tmp.resolve("ws"), Map.of("CLICKHOUSE_URL", url))) {
            String m = other.execError("%clickhouse dashboard").errorMessage();
            assertTrue(m.contains("ClickHouse at " + url + " does not answer"), m);
            assertEquals(Boolean.FALSE, other.eval("org.streamlab.clickhouse.ClickHouse.dashboard().isRunning()"),
                    "nothing started listening");
        }
    }

    @Test
    void kernelShutdownStopsTheDashboard(@TempDir Path tmp) throws Exception {
        String base;
        try (KernelTestKit other = KernelTestKit.start(tmp.resolve("ws"))) {
            String html = other.execHtml("%clickhouse dashboard");
            Matcher m = Pattern.compile("href=\"(http://127\\.0\\.0\\.1:\\d+/)\"").matcher(html);
            assertTrue(m.find(), html);
            base = m.group(1);
            assertEquals(200, get(base + "api/panels").statusCode());
        }
        String b = base;
        assertThrows(ConnectException.class, () -> get(b + "api/panels"));
    }
}
