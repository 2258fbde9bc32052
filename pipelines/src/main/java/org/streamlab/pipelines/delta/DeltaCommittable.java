package org.streamlab.pipelines.delta;

import java.util.List;

/**
 * The rows one writer subtask buffered until a checkpoint, and the Delta transaction version they commit under: the
 * checkpoint id. At the end of a bounded input Flink 2 gives the last rows the id of the checkpoint that would come
 * next (1 if none ran); {@link #END_OF_INPUT} is kept for Flink's older end-of-input marker. Rows hold normalized
 * values (String, Long, Integer, Double, Boolean; TIMESTAMP as Long microseconds), in column order.
 */
public record DeltaCommittable(long version, List<Object[]> rows) {
    /** The version of the final commit of a bounded input: above every checkpoint id, so nothing is committed after it. */
    public static final long END_OF_INPUT = Long.MAX_VALUE;

    /** Not yet assigned: the writer does not know the checkpoint id; the pre-commit step sets it. */
    static final long UNASSIGNED = -1;

    DeltaCommittable withVersion(long v) {
        return new DeltaCommittable(v, rows);
    }
}
