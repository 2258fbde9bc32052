package org.streamlab.pipelines;

import java.io.Serializable;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * How elements of a stream become rows of a ClickHouse table for {@link ClickHouseSink}: the columns an INSERT names,
 * and one TabSeparated line per element. Serializable, since the sink carries it to the task managers.
 */
public interface ClickHouseRows<T> extends Serializable {
    /** The column list of the INSERT, e.g. {@code "user_id, window_start, window_end, event_count"}. */
    String columns();

    /** Appends one row, its values in {@link #columns()} order, tab-separated, ending with a newline. */
    void append(StringBuilder tsv, T element);

    /** What to do when the server refuses the rows, e.g. which statement creates the table. */
    default String tableHint() {
        return "does the table exist with columns " + columns() + "?";
    }

    DateTimeFormatter UTC_SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    /**
     * A time as {@code YYYY-MM-DD hh:mm:ss} in UTC, for {@code DateTime('UTC')} columns (18.16 misreads Unix seconds
     * in text formats: 1704067200 became 1704067204).
     */
    static StringBuilder appendUtcSeconds(StringBuilder tsv, long epochMillis) {
        return tsv.append(UTC_SECONDS.format(Instant.ofEpochMilli(epochMillis)));
    }

    /** Text with TabSeparated's escapes (tab, newline, carriage return, backslash). */
    static StringBuilder appendText(StringBuilder tsv, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\t' -> tsv.append("\\t");
                case '\n' -> tsv.append("\\n");
                case '\r' -> tsv.append("\\r");
                case '\\' -> tsv.append("\\\\");
                default -> tsv.append(c);
            }
        }
        return tsv;
    }
}
