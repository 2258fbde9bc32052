package org.streamlab.reliability.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamlab.kernel.testkit.KernelTestKit;

/**
 * The correctness outcomes of the fault harness, at a smaller size: each fault really happens, and after recovery
 * no record or row is lost or duplicated. Times are printed by {@link FaultHarness}, never asserted.
 */
class FaultsTest {
    @TempDir
    static Path workspace;
    static KernelTestKit kit;

    @BeforeAll
    static void start() {
        kit = KernelTestKit.start(workspace.resolve("kernel"));
    }

    @AfterAll
    static void stop() {
        kit.close();
    }

    private static void check(FaultResult r) {
        System.out.println(FaultHarness.table(java.util.List.of(r)));
        assertTrue(r.injected(), "the fault did not happen as planned: " + r);
        assertEquals(0, r.lost(), "lost: " + r);
        assertEquals(0, r.duplicated(), "duplicated: " + r);
    }

    @Test
    void aLeaderBrokerKilledMidProduceLosesAndDuplicatesNothing() throws Exception {
        FaultResult r = KafkaBrokerFault.run(workspace.resolve("kafka-cluster"), 6_000, 1_000);
        check(r);
        assertTrue(r.notes().stream().anyMatch(n -> n.contains("back in the ISR of every partition")), "the killed broker did not rejoin: " + r);
    }

    @Test
    void clickHouseKilledMidInsertLosesAndDuplicatesNoRowOnceTheBatchIsSentAgain() throws Exception {
        check(ClickHouseKillFault.run(kit, 4, 100_000));
    }

    @Test
    void aKernelKilledMidJobRestoresFromItsCheckpointWithoutLossOrDuplicates() throws Exception {
        FaultResult r = KernelKillFault.run(workspace.resolve("killed-kernel"), 10_000);
        check(r);
        assertEquals(10_000, r.expected());
    }
}
