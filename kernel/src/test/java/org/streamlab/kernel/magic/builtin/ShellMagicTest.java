package org.streamlab.kernel.magic.builtin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamlab.kernel.testkit.CellOutcome;
import org.streamlab.kernel.testkit.KernelTestKit;

class ShellMagicTest {
    @TempDir
    static Path workspace;
    @TempDir
    Path dir;
    static KernelTestKit kit;

    @BeforeAll
    static void start() {
        kit = KernelTestKit.start(workspace);
    }

    @AfterAll
    static void stop() {
        kit.close();
    }

    /** Waits (bounded, never asserting on time) until the condition holds; false if it never did. */
    private static boolean await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        for (int i = 0; i < 600; i++) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(50);
        }
        return condition.getAsBoolean();
    }

    @Test
    void outputAppearsWhileTheScriptStillRuns() throws Exception {
        // The script prints, then waits for a file that this test creates only after it has SEEN the first line
        // in the cell's output: if output came at the end only, the script would give up and say so.
        Path go = dir.resolve("go");
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        PrintStream old = System.out;
        System.setOut(new PrintStream(seen, true, StandardCharsets.UTF_8));
        Thread releaser = new Thread(() -> {
            try {
                if (await(() -> seen.toString(StandardCharsets.UTF_8).contains("first"))) {
                    Files.createFile(go);
                }
            } catch (Exception e) {
                // the script then reports that it was not released
            }
        });
        releaser.start();
        CellOutcome o;
        try {
            o = kit.execSuccess("%%bash\necho first\nfor i in $(seq 1 400); do [ -f '" + go + "' ] && break; sleep 0.05; done\n"
                    + "[ -f '" + go + "' ] && echo second || echo 'never released'");
        } finally {
            System.setOut(old);
            releaser.join();
        }
        assertEquals("first\nsecond\n", o.stdout());
    }

    @Test
    void nonZeroExitFailsTheCellNamingTheStatusAndKeepsTheOutput() {
        CellOutcome o = kit.execError("%%bash\necho before\nexit 3");
        assertTrue(o.errorMessage().contains("bash exited with status 3"), o.errorMessage());
        assertEquals("before\n", o.stdout());
        kit.execSuccess("int stillAlive = 1;");
        assertEquals(1, kit.eval("stillAlive"));
    }

    @Test
    void stderrGoesToTheErrorStream() {
        CellOutcome o = kit.execSuccess("%%sh\necho to-out\necho to-err >&2");
        assertEquals("to-out\n", o.stdout());
        assertTrue(o.stderr().contains("to-err"), o.stderr());
        assertFalse(o.stdout().contains("to-err"));
    }

    @Test
    void runsInTheNotebooksFolder() {
        CellOutcome o = kit.execSuccess("%%bash\npwd");
        assertEquals(Path.of("").toAbsolutePath().toString(), o.stdout().strip());
    }

    @Test
    void interruptStopsTheScriptAndEveryProcessItStarted() throws Exception {
        Path pidFile = dir.resolve("sleep.pid");
        Thread stopper = new Thread(() -> {
            try {
                if (await(() -> Files.exists(pidFile) && pidFile.toFile().length() > 0)) {
                    kit.session().interrupt();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        stopper.start();
        CellOutcome o = kit.exec("%%bash\nsleep 100 &\necho $! > '" + pidFile + "'\nwait");
        stopper.join();
        assertFalse(o.ok(), "an interrupted script fails the cell");
        long sleepPid = Long.parseLong(Files.readString(pidFile).strip());
        Optional<ProcessHandle> sleep = ProcessHandle.of(sleepPid);
        assertTrue(await(() -> sleep.map(p -> !p.isAlive()).orElse(true)), "sleep 100 (pid " + sleepPid + ") survived the interrupt");
        kit.execSuccess("int afterInterrupt = 2;");
    }

    @Test
    void timeoutStopsTheScript() throws Exception {
        Path pidFile = dir.resolve("t.pid");
        CellOutcome o = kit.execError("%%bash --timeout 1\necho $$ > '" + pidFile + "'\nsleep 100");
        assertTrue(o.errorMessage().contains("stopped after --timeout 1 s"), o.errorMessage());
        long shellPid = Long.parseLong(Files.readString(pidFile).strip());
        assertTrue(await(() -> ProcessHandle.of(shellPid).map(p -> !p.isAlive()).orElse(true)));
    }

    @Test
    void badUsageIsExplained() {
        assertTrue(kit.execError("%%bash --timeout soon\necho x").errorMessage().contains("timeout"));
        assertTrue(kit.execError("%%bash\n   ").errorMessage().contains("empty"));
        assertTrue(kit.execSuccess("%help bash").text().contains("--timeout SECONDS"));
    }
}
