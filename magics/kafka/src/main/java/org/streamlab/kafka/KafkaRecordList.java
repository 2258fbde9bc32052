package org.streamlab.kafka;

import java.util.ArrayList;
import java.util.Collection;

/**
 * The {@code List<KafkaRecord>} that {@code %kafka consume --into VAR} binds: an ordinary list that the kernel
 * renders as a table of records when a cell shows it.
 */
public final class KafkaRecordList extends ArrayList<KafkaRecord> {
    private static final long serialVersionUID = 1L;

    public KafkaRecordList() {}

    public KafkaRecordList(Collection<KafkaRecord> records) {
        super(records);
    }
}
