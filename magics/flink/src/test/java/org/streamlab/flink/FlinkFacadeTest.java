package org.streamlab.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

    @Test
    void executeWaitsForTheJobAndReportsItsFailure() {
        try (KernelTestKit kit = KernelTestKit.start(workspace)) {
            kit.execSuccess("""
                    import org.streamlab.flink.Flink;
                    import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
                    var ok = Flink.newEnv();
                    ok.fromSequence(1, 100).map(x -> x * 2).sinkTo(new DiscardingSink<>());
                    var result = ok.execute("finishes");
                    """);
            // attached: the result of the finished job, not a DetachedJobExecutionResult returned at submission
            assertEquals("JobExecutionResult", kit.eval("result.getClass().getSimpleName()"));
            assertTrue((Boolean) kit.eval("result.getNetRuntime() >= 0"));

            CellOutcome failed = kit.exec("""
                    var bad = Flink.newEnv();
                    bad.configure(org.apache.flink.configuration.Configuration.fromMap(java.util.Map.of("restart-strategy.type", "none")));
                    bad.fromSequence(1, 10).map(x -> { if (x == 5) throw new IllegalStateException("record 5 is poison"); return x; })
                            .sinkTo(new DiscardingSink<>());
                    bad.execute("fails");
                    """);
            assertFalse(failed.ok(), "a failing job must fail the cell that executes it: " + failed);
            assertTrue(failed.errorMessage().contains("record 5 is poison"), "the cell's error should name the job's failure: " + failed);

            // an interrupt while execute() waits cancels the job itself, not only the cell's thread
            CellOutcome interrupted = kit.execInterrupted("""
                    var endless = Flink.newEnv();
                    endless.fromSequence(1, Long.MAX_VALUE).map(x -> { Thread.sleep(1); return x; }).sinkTo(new DiscardingSink<>());
                    endless.execute("endless");
                    """, java.time.Duration.ofSeconds(8));
            assertFalse(interrupted.ok(), interrupted.toString());
            kit.execSuccess("""
                    String endlessState = "";
                    for (int i = 0; i < 150 && !endlessState.equals("CANCELED"); i++) {
                        Thread.sleep(200);
                        endlessState = new org.apache.flink.client.program.rest.RestClusterClient<>(Flink.configuration(), "x")
                                .listJobs().get().stream().filter(j -> j.getJobName().equals("endless"))
                                .map(j -> j.getJobState().name()).findFirst().orElse("missing");
                    }
                    """);
            assertEquals("CANCELED", kit.eval("endlessState"), "the interrupted cell's job must be cancelled on the cluster");
        }
    }
}
