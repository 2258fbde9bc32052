package org.streamlab.pipelines.delta;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;

/** Buffers the rows of one subtask between checkpoints; at pre-commit hands them over as one committable. */
final class DeltaSinkWriter<T> implements CommittingSinkWriter<T, DeltaCommittable> {
    private final List<DeltaColumn> columns;
    private final DeltaRowMapper<T> mapper;
    private List<Object[]> buffer = new ArrayList<>();

    DeltaSinkWriter(List<DeltaColumn> columns, DeltaRowMapper<T> mapper) {
        this.columns = columns;
        this.mapper = mapper;
    }

    @Override
    public void write(T element, Context context) {
        buffer.add(normalize(columns, mapper.toRow(element), element));
    }

    /** The mapper's row checked against the columns, values in their stored form; else a message naming the column. */
    static Object[] normalize(List<DeltaColumn> columns, Object[] row, Object element) {
        if (row == null || row.length != columns.size()) {
            throw new IllegalArgumentException("the Delta row mapper gave " + (row == null ? "null" : row.length + " values")
                    + " for " + columns.size() + " columns " + columns + "; element: " + abbreviate(element));
        }
        Object[] out = new Object[row.length];
        for (int i = 0; i < row.length; i++) {
            DeltaColumn c = columns.get(i);
            if (row[i] == null) {
                if (!c.nullable()) {
                    throw new IllegalArgumentException("column '" + c.name() + "' is NOT NULL, the row mapper gave null; element: "
                            + abbreviate(element));
                }
                continue;
            }
            out[i] = c.type().normalize(c.name(), row[i]);
        }
        return out;
    }

    private static String abbreviate(Object element) {
        String s = String.valueOf(element);
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }

    @Override
    public void flush(boolean endOfInput) {
        // nothing: rows leave the writer in prepareCommit, right after
    }

    @Override
    public Collection<DeltaCommittable> prepareCommit() {
        if (buffer.isEmpty()) {
            return List.of();   // no empty Delta versions for checkpoints without rows
        }
        DeltaCommittable c = new DeltaCommittable(DeltaCommittable.UNASSIGNED, buffer);
        buffer = new ArrayList<>();
        return List.of(c);
    }

    @Override
    public void close() {
        buffer = new ArrayList<>();
    }
}
