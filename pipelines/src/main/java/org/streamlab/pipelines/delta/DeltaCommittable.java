package org.streamlab.pipelines.delta;

import java.util.List;

/**
 * The rows one writer subtask buffered until a checkpoint, and the Delta transaction version they commit under: the
 * checkpoint id, or {@link #END_OF_INPUT} for the rows after the last checkpoint of a bounded input. Rows hold
 * normalized values (String, Long, Integer, Double, Boolean; TIMESTAMP as Long microseconds), in column order.
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
