package org.streamlab.kafka;

import java.time.Instant;
import java.util.List;
import org.streamlab.kernel.display.HtmlTable;

/**
 * One record read by {@code %kafka consume}: what {@code --into VAR} binds a list of. Key and value are the
 * record's bytes decoded as UTF-8 text (null when absent); the timestamp is the record's own.
 */
public record KafkaRecord(String topic, int partition, long offset, String key, String value, Instant timestamp) {

    /** The columns {@code %kafka consume} shows. */
    static final List<String> COLUMNS = List.of("partition", "offset", "key", "value", "timestamp");

    List<Object> cells() {
        return List.of(partition, offset, key == null ? "null" : key, value == null ? "null" : value, timestamp.toString());
    }

    /** A table of records: the first {@code limit} rows, with the total count. */
    public static HtmlTable table(List<KafkaRecord> records, int limit) {
        HtmlTable t = new HtmlTable(COLUMNS);
        int n = 0;
        for (KafkaRecord r : records) {
            if (n++ >= limit) {
                break;
            }
            t.addRow(r.cells());
        }
        return t.totalRows(records.size());
    }
}
