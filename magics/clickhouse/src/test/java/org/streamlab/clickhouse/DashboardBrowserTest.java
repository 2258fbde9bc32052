package org.streamlab.clickhouse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamlab.kernel.testkit.KernelTestKit;

/**
 * The web dashboard in a real browser: Debian's headless chromium driven by playwright-core
 * ({@code src/test/browser}, installed by {@code ./streamlab install-browser}). The page must show the totals
 * ClickHouse holds, and the new totals after more rows arrive, with no script error; a screenshot is kept in
 * {@code target/dashboard-browser/}. Without chromium, node or playwright-core the test is skipped, except under
 * CI=true, where it fails.
 */
class DashboardBrowserTest {
    static final Path BROWSER_DIR = Path.of("src/test/browser");
    static final Path SCREENSHOT = Path.of("target/dashboard-browser/dashboard.png");

    @TempDir
    Path workspace;

    @Test
    void pageShowsWhatClickHouseHoldsAndFollowsNewRows() throws Exception {
        Path chromium = requireBrowserTools();
        try (KernelTestKit kit = KernelTestKit.start(workspace)) {
            kit.execSuccess("""
                    %%clickhouse
                    CREATE TABLE orders (ts DateTime, shop String, amount UInt32) ENGINE = MergeTree() ORDER BY (shop, ts);
                    INSERT INTO orders SELECT toDateTime('2024-03-01 10:00:00') + number, concat('shop', toString(number % 4)),
                      number % 50 FROM system.numbers LIMIT 1000
                    """);
            kit.execSuccess("""
                    %%clickhouse --chart bar --x shop --y revenue --panel revenue
                    SELECT shop, sum(amount) AS revenue FROM orders GROUP BY shop ORDER BY shop
                    """);
            kit.execSuccess("""
                    %%clickhouse --panel "top amounts"
                    SELECT amount, count() AS orders FROM orders GROUP BY amount ORDER BY amount DESC LIMIT 3
                    """);
            String html = kit.execHtml("%clickhouse dashboard --refresh 0.5");
            Matcher m = Pattern.compile("href=\"(http://127\\.0\\.0\\.1:\\d+/)\"").matcher(html);
            assertTrue(m.find(), html);
            String url = m.group(1);

            Process node = new ProcessBuilder("node", "dashboard-check.mjs", url, "revenue", chromium.toString())
                    .directory(BROWSER_DIR.toFile()).redirectErrorStream(true).start();
            BlockingQueue<String> lines = new LinkedBlockingQueue<>();
            List<String> transcript = new ArrayList<>();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        lines.add(line);
                    }
                } catch (IOException ignored) {
                    // the process ended
                }
            }, "node-output");
            reader.setDaemon(true);
            reader.start();
            try (PrintWriter in = new PrintWriter(node.getOutputStream(), true, StandardCharsets.UTF_8)) {
                expectOk(lines, transcript, "loaded");

                in.println("table 3 top amounts");
                expectOk(lines, transcript, "table 3 rows");

                long[] first = totals(kit);
                in.println("expect " + first[0] + " " + first[1]);
                expectOk(lines, transcript, "shown total=" + first[0] + " rows=" + first[1]);

                // more rows, and a fifth shop: the open page must follow without a reload
                kit.execSuccess("""
                        %%clickhouse
                        INSERT INTO orders SELECT toDateTime('2024-03-01 11:00:00') + number, concat('shop', toString(number % 5)),
                          100 FROM system.numbers LIMIT 500
                        """);
                long[] second = totals(kit);
                assertTrue(second[0] > first[0] && second[1] == first[1] + 1, "the second batch adds revenue and a shop");
                in.println("expect " + second[0] + " " + second[1]);
                expectOk(lines, transcript, "shown total=" + second[0] + " rows=" + second[1]);

                Files.createDirectories(SCREENSHOT.getParent());
                Files.deleteIfExists(SCREENSHOT);
                in.println("screenshot " + SCREENSHOT.toAbsolutePath());
                expectOk(lines, transcript, "screenshot");
                in.println("quit");
            }
            assertTrue(node.waitFor(30, TimeUnit.SECONDS), "node did not exit: " + transcript);
            assertEquals(0, node.exitValue(), "node's transcript: " + transcript + " " + lines);
            assertTrue(Files.size(SCREENSHOT) > 10_000, "a real screenshot of the page: " + Files.size(SCREENSHOT) + " bytes");
        }
    }

    /** {total revenue, number of shops} as ClickHouse computes them now. */
    private static long[] totals(KernelTestKit kit) {
        Object total = kit.eval("((Number) org.streamlab.clickhouse.ClickHouse.query(\"SELECT sum(amount) AS t FROM orders\").column(\"t\").get(0)).longValue()");
        Object shops = kit.eval("((Number) org.streamlab.clickhouse.ClickHouse.query(\"SELECT uniqExact(shop) AS n FROM orders\").column(\"n\").get(0)).longValue()");
        return new long[] {(Long) total, (Long) shops};
    }

    private static void expectOk(BlockingQueue<String> lines, List<String> transcript, String startsWith) throws InterruptedException {
        String line = lines.poll(60, TimeUnit.SECONDS);
        transcript.add(line);
        if (line == null) {
            fail("no answer from the browser script within 60 s; transcript: " + transcript);
        }
        assertTrue(line.startsWith("ok " + startsWith), "browser: " + line + "; transcript: " + transcript);
    }

    /** Chromium's path; skips (or fails under CI=true) when the browser tools are not installed. */
    private static Path requireBrowserTools() {
        List<String> missing = new ArrayList<>();
        Path chromium = findOnPath(System.getenv().getOrDefault("CHROMIUM", "chromium"));
        if (chromium == null) {
            missing.add("chromium");
        }
        if (findOnPath("node") == null) {
            missing.add("node");
        }
        if (!Files.isDirectory(BROWSER_DIR.resolve("node_modules/playwright-core"))) {
            missing.add("playwright-core (npm ci in magics/clickhouse/src/test/browser)");
        }
        if (!missing.isEmpty()) {
            String message = "the dashboard's browser test needs " + String.join(", ", missing) + ": run ./streamlab install-browser";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(message + " (CI=true: not skipped)");
            }
            Assumptions.abort(message);
        }
        return chromium;
    }

    private static Path findOnPath(String name) {
        Path direct = Path.of(name);
        if (direct.isAbsolute()) {
            return Files.isExecutable(direct) ? direct : null;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }
}
