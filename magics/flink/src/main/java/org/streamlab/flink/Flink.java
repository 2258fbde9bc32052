package org.streamlab.flink;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;

/**
 * Flink from notebook Java code, on the same cluster as {@code %%flinksql} (the embedded MiniCluster or
 * FLINK_REST_URL), starting it if needed:
 * <pre>
 * var env = Flink.env();                       // DataStream API
 * env.fromData(1, 2, 3).map(x -> x * 2).print();
 * env.execute("doubling");
 * var tEnv = Flink.tableEnv("streaming");      // sees the tables created by %%flinksql
 * tEnv.executeSql("SELECT * FROM orders").print();
 * </pre>
 */
public final class Flink {
    private Flink() {}

    /** The shared StreamExecutionEnvironment (the one under {@link #tableEnv()}). */
    public static StreamExecutionEnvironment env() {
        return engine().streamEnv();
    }

    /** A fresh StreamExecutionEnvironment bound to the same cluster. */
    public static StreamExecutionEnvironment newEnv() {
        return engine().newStreamEnv();
    }

    /** The streaming table environment %%flinksql uses (same catalog, same tables). */
    public static StreamTableEnvironment tableEnv() {
        return engine().streamTableEnv();
    }

    /** "streaming" or "batch": the table environment %%flinksql --mode uses. */
    public static TableEnvironment tableEnv(String mode) {
        return switch (mode == null ? "" : mode.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "streaming", "stream" -> engine().streamTableEnv();
            case "batch" -> engine().batchTableEnv();
            default -> throw new IllegalArgumentException("mode must be streaming or batch, got: " + mode);
        };
    }

    /** Client configuration binding jobs to the cluster (execution.target=remote, rest.address, rest.port). */
    public static Configuration configuration() {
        return engine().clientConfig();
    }

    /** The REST address jobs go to, e.g. http://127.0.0.1:41234. */
    public static String restUrl() {
        return engine().restUrl();
    }

    private static FlinkEngine engine() {
        return FlinkService.current().engine();
    }
}
