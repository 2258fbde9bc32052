package org.streamlab.pipelines;

import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import org.streamlab.clickhouse.ClickHouseHttpClient;

/**
 * The ClickHouse table of per-user window counts, and how to read it without duplicates.
 *
 * <p>Idempotence lives in the table: {@code ORDER BY (user_id, window_start)} is the identity of a window row and
 * {@code ReplacingMergeTree(event_count)} keeps one row per identity when parts merge, the one with the highest
 * count (a window that fires again with late events only ever counts more). Merges happen in the background, so a
 * reader that must not see a duplicate asks for {@code FINAL} (or {@code argMax}/{@code GROUP BY}).
 */
public final class WindowTable {
    private WindowTable() {}

    /** Window counts as rows of the table, for {@link ClickHouseSink}. */
    public static final ClickHouseRows<UserWindowCount> ROWS = new ClickHouseRows<>() {
        @Override
        public String columns() {
            return "user_id, window_start, window_end, event_count";
        }

        @Override
        public void append(StringBuilder tsv, UserWindowCount r) {
            ClickHouseRows.appendText(tsv, r.userId()).append('\t');
            ClickHouseRows.appendUtcSeconds(tsv, r.windowStart()).append('\t');
            ClickHouseRows.appendUtcSeconds(tsv, r.windowEnd()).append('\t').append(r.count()).append('\n');
        }

        @Override
        public String tableHint() {
            return "does the table exist with columns " + columns() + "? see WindowTable.createSql";
        }
    };

    /** {@code CREATE TABLE IF NOT EXISTS} for {@code table} (works on ClickHouse 18.16 and current servers). */
    public static String createSql(String table) {
        return """
                CREATE TABLE IF NOT EXISTS %s (
                  user_id      String,
                  window_start DateTime('UTC'),
                  window_end   DateTime('UTC'),
                  event_count  UInt64
                ) ENGINE = ReplacingMergeTree(event_count)
                PARTITION BY toYYYYMMDD(window_start)
                ORDER BY (user_id, window_start)""".formatted(table);
    }

    /** Creates the table of {@code config} if it does not exist. */
    public static void create(ClickHouseSinkConfig config) throws IOException {
        config.client().execute(createSql(config.qualifiedTable()), null);
    }

    /** "user|windowStartMillis" to count, one entry per window, read with FINAL. */
    public static Map<String, Long> readCounts(ClickHouseSinkConfig config) throws IOException {
        return readCounts(config.client(),
                "SELECT user_id, toUnixTimestamp(window_start), event_count FROM " + config.qualifiedTable() + " FINAL");
    }

    /** Runs a query returning (user_id, window start in Unix seconds, count) rows into "user|windowStartMillis" to count. */
    public static Map<String, Long> readCounts(ClickHouseHttpClient client, String query) throws IOException {
        Map<String, Long> out = new TreeMap<>();
        String text = client.query(query + " FORMAT TabSeparated");
        if (text.isEmpty()) {
            return out;
        }
        for (String line : text.split("\n")) {
            String[] f = line.split("\t");
            if (f.length < 3) {
                throw new IOException("expected 3 columns (user_id, window start, count), got: " + line);
            }
            String key = f[0] + "|" + Long.parseLong(f[1]) * 1000L;
            if (out.put(key, Long.parseLong(f[2])) != null) {
                throw new IOException("window " + key + " appears twice in the answer to: " + query);
            }
        }
        return out;
    }

    /** The key {@link #readCounts} uses, for an expected map computed elsewhere. */
    public static String key(String userId, long windowStartMillis) {
        return userId + "|" + windowStartMillis;
    }
}
