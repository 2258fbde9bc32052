package org.streamlab.spark;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.streamlab.kernel.UserError;

/**
 * For Java cells: {@code var spark = org.streamlab.spark.Spark.session();} gives the kernel's SparkSession
 * (started on first use, Delta enabled, same catalog as {@code %%sparksql}). A returned {@code Dataset} is
 * shown as a table.
 */
public final class Spark {
    private Spark() {}

    /** The kernel's SparkSession, started if needed. */
    public static SparkSession session() {
        return service().session();
    }

    /** Shorthand for {@code session().sql(sql)}. */
    public static Dataset<Row> sql(String sql) {
        return session().sql(sql);
    }

    /** The kernel's Spark service (for its state, address, or to restart it). */
    public static SparkService service() {
        SparkService s = SparkService.current();
        if (s == null) {
            throw new UserError("Spark is not available in this kernel",
                    "the StreamLab Spark extension (streamlab-spark jar) must be on the kernel's class path");
        }
        return s;
    }
}
