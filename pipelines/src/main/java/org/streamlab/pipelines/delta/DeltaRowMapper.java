package org.streamlab.pipelines.delta;

import java.io.Serializable;

/**
 * How a stream element becomes a row of a Delta table: its values in column order (TIMESTAMP columns take an
 * {@link java.time.Instant} or a Long of epoch milliseconds; null where the column is nullable).
 */
@FunctionalInterface
public interface DeltaRowMapper<T> extends Serializable {
    Object[] toRow(T element);
}
