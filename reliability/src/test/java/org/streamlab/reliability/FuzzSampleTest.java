package org.streamlab.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.streamlab.kernel.magic.MagicSpec;

/**
 * A seeded sample of the fuzz run (the full 10,000: {@link Fuzzer#main}): no kernel death, no leaking message, no
 * lost state. Services start on their first case and stay up; each target has a time budget so the test stays
 * short on a loaded machine (skipped cases are printed).
 */
class FuzzSampleTest {
    static final int CASES = 1_500;
    static final long SEED = 20_261_204L;

    @Test
    void aSeededSampleKillsNothingLeaksNothingLosesNothing() {
        Fuzzer fuzzer = new Fuzzer(SharedKernel.get(), new Fuzzer.Options(Duration.ofSeconds(5), Duration.ofSeconds(12)));
        List<MagicSpec> magics = fuzzer.magics();
        Set<String> names = magics.stream().map(MagicSpec::invocation).collect(Collectors.toSet());
        // the table holds the kernel's built-ins and every service's magics: the sample covers them all
        assertTrue(names.containsAll(Set.of("%lsmagic", "%help", "%%bash", "%env", "%services", "%kafka", "%%flinksql",
                "%%sparksql", "%%clickhouse", "%feast")), names.toString());
        List<CaseGenerator.Case> cases = new CaseGenerator(SEED).generate(magics, CASES);
        Fuzzer.Report report = fuzzer.run(cases);
        System.out.print(report.table());
        assertEquals(0, report.deaths, report.table());
        assertEquals(0, report.leaks(), report.table());
        assertEquals(0, report.stateLost, report.table());
        for (MagicSpec m : magics) {
            assertNotNull(report.rows.get(m.invocation()), "no case for " + m.invocation());
            assertTrue(report.rows.get(m.invocation()).run > 0, "no case ran for " + m.invocation());
        }
    }

    @Test
    void theSameSeedGivesTheSameCases() {
        List<MagicSpec> magics = SharedKernel.get().session().magics().all();
        assertEquals(new CaseGenerator(7).generate(magics, 200), new CaseGenerator(7).generate(magics, 200));
    }

    @Test
    void leakDetectionFlagsInternalsAndLetsReadableMessagesThrough() {
        assertEquals("stack frames", Fuzzer.leak("Error: boom\n    at org.x.Y.z(Y.java:3)", false));
        assertEquals("exception class", Fuzzer.leak("Error: java.lang.NumberFormatException: For input string: \"x\"", false));
        assertEquals("exception name", Fuzzer.leak("Error: NumberFormatException", false));
        assertEquals("null message", Fuzzer.leak("Error: null", false));
        assertEquals("internal error", Fuzzer.leak("Internal error: java.lang.NullPointerException", true));
        assertNull(Fuzzer.leak("Error: --partitions takes a whole number, not 'x'\nUsage: %kafka create TOPIC", false));
        assertNull(Fuzzer.leak("IllegalStateException: boom\n    at do_it(#12:1)", true));
        assertEquals("kernel frames", Fuzzer.leak("IllegalStateException: boom\n    at org.streamlab.kernel.X.y(X.java:1)", true));
    }
}
