package org.streamlab.pipelines.delta;

import java.io.Serializable;
import java.util.Objects;

/**
 * One column of a table {@link DeltaSink} writes. Types supported: STRING, LONG, INT, DOUBLE, BOOLEAN, TIMESTAMP
 * (a UTC instant, stored as a Delta timestamp).
 */
public record DeltaColumn(String name, DeltaType type, boolean nullable) implements Serializable {
    public DeltaColumn {
        Objects.requireNonNull(type, "type");
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a Delta column needs a name");
        }
    }

    /** A column that may hold nulls (what Spark SQL's CREATE TABLE gives). */
    public static DeltaColumn of(String name, DeltaType type) {
        return new DeltaColumn(name, type, true);
    }

    /** A column that refuses nulls. */
    public static DeltaColumn required(String name, DeltaType type) {
        return new DeltaColumn(name, type, false);
    }

    @Override
    public String toString() {
        return name + " " + type.sqlName() + (nullable ? "" : " NOT NULL");
    }
}
