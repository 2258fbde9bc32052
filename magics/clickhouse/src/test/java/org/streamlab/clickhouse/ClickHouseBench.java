package org.streamlab.clickhouse;

/*
 * ClickHouse benchmark: embedded server ready time, JDBC insert throughput, toStartOfMinute GROUP BY time.
 * Prints figures; asserts nothing (speed goals live here, not in tests).
 *
 * Run (from the repository root):
 *   mvn -q -o -pl magics/clickhouse test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/ch-bench.cp -Dmdep.includeScope=test
 *   java -cp "magics/clickhouse/target/test-classes:magics/clickhouse/target/classes:$(cat /tmp/ch-bench.cp)" \
 *        org.streamlab.clickhouse.ClickHouseBench [coldStarts=7] [rows=500000] [batch=100000]
 */

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.streamlab.kernel.KernelConfig;

public final class ClickHouseBench {
    public static void main(String[] args) throws Exception {
        int coldStarts = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        int rows = args.length > 1 ? Integer.parseInt(args[1]) : 500_000;
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 100_000;
        Path root = Files.createTempDirectory("ch-bench");
        EmbeddedClickHouse.Binary binary = EmbeddedClickHouse.findBinary(Optional.empty())
                .orElseThrow(() -> new IllegalStateException("clickhouse-server not installed: run magics/clickhouse/install-clickhouse.sh"));
        System.out.printf("binary: %s, cores: %d, java %s%n", binary.path(), Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"));

        // 1. cold starts: a new data folder each time, process start -> /ping answers; then stop
        List<Double> ready = new ArrayList<>();
        List<Double> stop = new ArrayList<>();
        for (int i = 0; i < coldStarts; i++) {
            long t0 = System.nanoTime();
            EmbeddedClickHouse s = EmbeddedClickHouse.start(binary, root.resolve("cold" + i), 30_000);
            ready.add(ms(t0));
            long t1 = System.nanoTime();
            s.stop();
            stop.add(ms(t1));
        }
        System.out.printf("cold start to /ping (new data folder), %d runs: median %.0f ms, min %.0f, max %.0f%n",
                coldStarts, median(ready), Collections.min(ready), Collections.max(ready));
        System.out.printf("stop (SIGTERM to exit), median %.0f ms%n", median(stop));

        // 2. the service as a kernel uses it: ensureStarted (process + /ping + SELECT version()) and first JDBC query
        Path ws = root.resolve("workspace");
        KernelConfig config = KernelConfig.load(Map.of(KernelConfig.WORKSPACE, ws.toString()), ws);
        ClickHouseService service = new ClickHouseService(config);
        List<Double> serviceReady = new ArrayList<>();
        List<Double> firstQuery = new ArrayList<>();
        for (int i = 0; i < coldStarts; i++) {
            long t0 = System.nanoTime();
            service.ensureStarted();
            serviceReady.add(ms(t0));
            long t1 = System.nanoTime();
            try (Connection c = service.connection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT 1")) {
                rs.next();
            }
            firstQuery.add(ms(t1));
            if (i < coldStarts - 1) {
                service.stop();
            }
        }
        System.out.printf("service ensureStarted (server + /ping + version), %d runs: median %.0f ms, max %.0f; "
                + "then first JDBC query median %.0f ms (ClickHouse %s, %s driver)%n",
                coldStarts, median(serviceReady), Collections.max(serviceReady), median(firstQuery),
                service.serverVersion(), service.usesLegacyDriver() ? "legacy ru.yandex 0.2.6" : "official");

        // 2b. what a notebook user waits for: the first %%clickhouse cell of a fresh kernel (server start, driver
        //     load, query, rendering); the kernel itself is started before the clock runs
        List<Double> firstCell = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            try (org.streamlab.kernel.testkit.KernelTestKit kit = org.streamlab.kernel.testkit.KernelTestKit.start(root.resolve("kit" + i))) {
                kit.execSuccess("1 + 1");
                long t = System.nanoTime();
                kit.execSuccess("%%clickhouse\nSELECT 1 AS one");
                firstCell.add(ms(t));
            }
        }
        System.out.printf("first %%%%clickhouse cell in a fresh kernel (3 kernels): %s ms%n", fmt(firstCell));

        // 3. insert throughput through JDBC batches
        try (Connection c = service.connection(); Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS bench_events");
            st.execute("CREATE TABLE bench_events (ts DateTime, user UInt32, kind String, amount Float64) "
                    + "ENGINE = MergeTree() PARTITION BY toYYYYMMDD(ts) ORDER BY (kind, ts)");
        }
        LocalDateTime base = LocalDateTime.of(2024, 3, 1, 0, 0);
        String[] kinds = {"view", "click", "cart", "buy"};
        List<Double> batchRates = new ArrayList<>();
        long tAll = System.nanoTime();
        try (Connection c = service.connection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO bench_events (ts, user, kind, amount) VALUES (?, ?, ?, ?)")) {
            for (int from = 0; from < rows; from += batch) {
                int to = Math.min(rows, from + batch);
                long tb = System.nanoTime();
                for (int i = from; i < to; i++) {
                    ps.setTimestamp(1, Timestamp.valueOf(base.plusSeconds(i)));
                    ps.setLong(2, i % 1000);
                    ps.setString(3, kinds[i % 4]);
                    ps.setDouble(4, (i % 100) / 4.0);
                    ps.addBatch();
                }
                ps.executeBatch();
                batchRates.add((to - from) / (ms(tb) / 1000.0));
            }
        }
        double allMs = ms(tAll);
        System.out.printf("JDBC batch insert of %d rows (batches of %d): %.0f ms, %.0f rows/s overall; per batch rows/s: %s%n",
                rows, batch, allMs, rows / (allMs / 1000.0), fmt(batchRates));

        long t2 = System.nanoTime();
        try (Connection c = service.connection(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO bench_events SELECT toDateTime('2024-04-01 00:00:00') + number, number % 1000, "
                    + "['view','click','cart','buy'][number % 4 + 1], (number % 100) / 4 FROM system.numbers LIMIT " + rows);
        }
        double serverSide = ms(t2);
        System.out.printf("server-side INSERT ... SELECT of %d rows: %.0f ms (%.0f rows/s)%n", rows, serverSide, rows / (serverSide / 1000.0));

        // 4. toStartOfMinute GROUP BY over the JDBC-inserted rows
        String q = "SELECT toStartOfMinute(ts) AS minute, count() AS n, sum(amount) AS total, uniq(user) AS users "
                + "FROM bench_events WHERE ts < toDateTime('2024-04-01 00:00:00') GROUP BY minute ORDER BY minute";
        List<Double> agg = new ArrayList<>();
        long groups = 0;
        long counted = 0;
        for (int i = 0; i < 7; i++) {
            long t = System.nanoTime();
            groups = 0;
            counted = 0;
            try (Connection c = service.connection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(q)) {
                while (rs.next()) {
                    groups++;
                    counted += rs.getLong(2);
                }
            }
            agg.add(ms(t));
        }
        if (counted != rows) {
            throw new IllegalStateException("GROUP BY counted " + counted + " rows, expected " + rows);
        }
        System.out.printf("toStartOfMinute GROUP BY over %d rows -> %d minutes, through JDBC incl. reading the result: "
                + "first %.0f ms, median of 7 %.0f ms%n", rows, groups, agg.get(0), median(agg));

        // the same through %%clickhouse's reader into a Tablesaw table (what --into does); the first includes class loading
        List<Double> tablesaw = new ArrayList<>();
        int tableRows = 0;
        for (int i = 0; i < 5; i++) {
            long t3 = System.nanoTime();
            try (Connection c = service.connection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(q)) {
                tableRows = QueryResult.read(rs, 20, true, "t", () -> false).table().rowCount();
            }
            tablesaw.add(ms(t3));
        }
        System.out.printf("same query read into a Tablesaw table (%d rows): first %.0f ms, median of 5 %.0f ms%n",
                tableRows, tablesaw.get(0), median(tablesaw));
        service.stop();
        deleteTree(root);
    }

    private static double ms(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }

    private static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        s.sort(Comparator.naturalOrder());
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    private static String fmt(List<Double> xs) {
        List<String> out = new ArrayList<>();
        for (double x : xs) {
            out.add(String.format("%.0f", x));
        }
        return String.join(", ", out);
    }

    private static void deleteTree(Path p) throws Exception {
        try (var walk = Files.walk(p)) {
            walk.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
