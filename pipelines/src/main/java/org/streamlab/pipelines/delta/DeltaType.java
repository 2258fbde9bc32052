package org.streamlab.pipelines.delta;

import io.delta.kernel.types.BooleanType;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.DoubleType;
import io.delta.kernel.types.IntegerType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.TimestampType;
import java.time.Instant;

/** The column types {@link DeltaSink} writes, with the Delta (and Spark SQL) type each becomes. */
public enum DeltaType {
    STRING("string"),
    LONG("bigint"),
    INT("int"),
    DOUBLE("double"),
    BOOLEAN("boolean"),
    /** A UTC instant: Delta's {@code timestamp} (microseconds); rows give a {@link Instant} or Long epoch millis. */
    TIMESTAMP("timestamp");

    private final String sqlName;

    DeltaType(String sqlName) {
        this.sqlName = sqlName;
    }

    /** The type's name in Spark SQL, e.g. {@code bigint}: what a learner writes in CREATE TABLE. */
    public String sqlName() {
        return sqlName;
    }

    DataType kernelType() {
        return switch (this) {
            case STRING -> StringType.STRING;
            case LONG -> LongType.LONG;
            case INT -> IntegerType.INTEGER;
            case DOUBLE -> DoubleType.DOUBLE;
            case BOOLEAN -> BooleanType.BOOLEAN;
            case TIMESTAMP -> TimestampType.TIMESTAMP;
        };
    }

    /**
     * A row value as this type's stored Java value (String, Long, Integer, Double, Boolean; TIMESTAMP: Long
     * microseconds since the epoch), or an IllegalArgumentException naming the column and what it accepts.
     */
    Object normalize(String column, Object value) {
        switch (this) {
            case STRING:
                if (value instanceof CharSequence s) {
                    return s.toString();
                }
                break;
            case LONG:
                if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
                    return ((Number) value).longValue();
                }
                break;
            case INT:
                if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
                    return ((Number) value).intValue();
                }
                break;
            case DOUBLE:
                if (value instanceof Number n) {
                    return n.doubleValue();
                }
                break;
            case BOOLEAN:
                if (value instanceof Boolean) {
                    return value;
                }
                break;
            case TIMESTAMP:
                if (value instanceof Instant i) {
                    return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000L), i.getNano() / 1_000L);
                }
                if (value instanceof Long millis) {
                    return Math.multiplyExact(millis, 1_000L);
                }
                break;
            default:
                break;
        }
        throw new IllegalArgumentException("column '" + column + "' is " + this + ": it takes " + accepts() + ", the row mapper gave "
                + value.getClass().getSimpleName() + " " + abbreviate(value));
    }

    private String accepts() {
        return switch (this) {
            case STRING -> "a String";
            case LONG -> "a Long (or Integer)";
            case INT -> "an Integer";
            case DOUBLE -> "a Double (or any Number)";
            case BOOLEAN -> "a Boolean";
            case TIMESTAMP -> "an Instant or a Long of epoch milliseconds";
        };
    }

    private static String abbreviate(Object value) {
        String s = String.valueOf(value);
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }
}
