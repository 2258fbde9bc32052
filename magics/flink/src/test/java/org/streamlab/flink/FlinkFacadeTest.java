package org.streamlab.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamlab.kernel.testkit.CellOutcome;
import org.streamlab.kernel.testkit.KernelTestKit;

/** Java cells on the same cluster as %%flinksql, through the Flink facade. */
class FlinkFacadeTest {
    @TempDir
    Path workspace;

    @Test
    void tableEnvSharesTheCatalogWithTheMagic() {
        try (KernelTestKit kit = KernelTestKit.start(workspace)) {
            kit.execSuccess("%%flinksql\nCREATE VIEW nums AS SELECT * FROM (VALUES (1), (2), (3)) AS t(n)");
            kit.execSuccess("""
                    import org.streamlab.flink.Flink;
                    var rows = new java.util.ArrayList<org.apache.flink.types.Row>();
                    try (var it = Flink.tableEnv("batch").executeSql("SELECT SUM(n) AS s FROM nums").collect()) {
                        it.forEachRemaining(rows::add);
                    }
                    """);
            assertEquals(6, kit.eval("((Number) rows.get(0).getField(0)).intValue()"));
        }
    }

    @Test
    void dataStreamWithACellLambdaRunsOnTheCluster() {
        try (KernelTestKit kit = KernelTestKit.start(workspace)) {
            CellOutcome o = kit.exec("""
                    import org.streamlab.flink.Flink;
                    var env = Flink.env();
                    var out = new java.util.ArrayList<Long>();
                    try (var it = env.fromSequence(1, 5).map(x -> x * x).executeAndCollect()) {
                        it.forEachRemaining(out::add);
                    }
                    java.util.Collections.sort(out);
                    out.toString()
                    """);
            assertTrue(o.ok(), o.toString());
            assertEquals("[1, 4, 9, 16, 25]", String.valueOf(o.value()));
        }
    }
}
