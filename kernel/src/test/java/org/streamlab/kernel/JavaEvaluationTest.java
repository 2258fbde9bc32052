package org.streamlab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamlab.kernel.eval.JShellEvaluator;
import org.streamlab.kernel.testkit.CellOutcome;
import org.streamlab.kernel.testkit.KernelTestKit;

class JavaEvaluationTest {
    @TempDir
    static Path workspace;
    static KernelTestKit kit;

    @BeforeAll
    static void start() {
        kit = KernelTestKit.start(workspace);
    }

    @AfterAll
    static void stop() {
        kit.close();
    }

    @Test
    void lastExpressionIsTheResult() {
        CellOutcome o = kit.execSuccess("int a = 20;\nint b = 22;\na + b");
        assertEquals("42", o.text());
        assertEquals(42, o.value());
    }

    @Test
    void statementsAndDeclarationsHaveNoResult() {
        CellOutcome o = kit.execSuccess("int unused = 1;");
        assertNull(o.result());
    }

    @Test
    void declarationsPersistAcrossCells() {
        kit.execSuccess("record Point(int x, int y) { int sum() { return x + y; } }");
        kit.execSuccess("sealed interface Shape permits Circle, Square {}\nrecord Circle(double r) implements Shape {}\nrecord Square(double s) implements Shape {}");
        kit.execSuccess("<T extends Comparable<T>> T maxOf(List<T> xs) { return xs.stream().max(Comparable::compareTo).orElseThrow(); }");
        assertEquals(7, kit.eval("new Point(3, 4).sum()"));
        assertEquals("c", kit.eval("maxOf(List.of(\"a\", \"c\", \"b\"))"));
        assertEquals(true, kit.eval("Shape s = new Circle(1); s instanceof Circle c && c.r() == 1"));
        kit.execSuccess("var doubler = (java.util.function.IntUnaryOperator) v -> v * 2;");
        assertEquals(10, kit.eval("doubler.applyAsInt(5)"));
    }

    @Test
    void repeatingAnImportKeepsVariablesOfCellClasses() {
        kit.execSuccess("class Counter { List<Integer> seen = new ArrayList<>(); int size() { return seen.size(); } }");
        kit.execSuccess("Counter counter = new Counter();\ncounter.seen.add(1);");
        kit.execSuccess("import java.util.*;");
        kit.execSuccess("import java.util.stream.*;\nimport java.util.function.*;");
        assertEquals(1, kit.eval("counter.size()"));
        kit.execSuccess("import java.time.format.*;");
        assertEquals(1, kit.eval("counter.size()"));
    }

    @Test
    void importsPersist() {
        kit.execSuccess("import java.util.concurrent.atomic.AtomicLong;");
        assertEquals(5L, kit.eval("new AtomicLong(5).get()"));
    }

    @Test
    void redefiningAMethodReplacesIt() {
        kit.execSuccess("int f() { return 1; }");
        kit.execSuccess("int f() { return 2; }");
        assertEquals(2, kit.eval("f()"));
    }

    @Test
    void stdoutIsCaptured() {
        CellOutcome o = kit.execSuccess("System.out.println(\"hello\"); System.err.println(\"oops\");");
        assertEquals("hello\n", o.stdout());
        assertEquals("oops\n", o.stderr());
    }

    @Test
    void compileErrorShowsLineAndCaret() {
        CellOutcome o = kit.execError("int ok = 1;\nint bad = \"text\";");
        String msg = o.errorMessage();
        assertTrue(msg.contains("line 2"), msg);
        assertTrue(msg.contains("int bad = \"text\";"), msg);
        assertTrue(msg.contains("^"), msg);
        assertEquals("CompileError", o.error().name());
    }

    @Test
    void unbalancedBracesGiveOneClearMessage() {
        CellOutcome o = kit.execError("void broken() {\n  System.out.println(1);\n");
        assertTrue(o.errorMessage().contains("unbalanced"), o.errorMessage());
        kit.execSuccess("int stillAlive = 3;");
        assertEquals(3, kit.eval("stillAlive"));
    }

    @Test
    void runtimeExceptionShowsUserFrames() {
        kit.execSuccess("int divide(int a, int b) {\n  return a / b;\n}");
        CellOutcome o = kit.execError("int keep = 5;\ndivide(1, 0)");
        String msg = o.errorMessage();
        assertEquals("java.lang.ArithmeticException", o.error().name());
        assertTrue(msg.contains("/ by zero"), msg);
        assertTrue(msg.contains("in divide() at cell line 2"), msg);
        assertFalse(msg.contains("jdk.jshell"), msg);
        assertEquals(5, kit.eval("keep"));
    }

    @Test
    void interruptStopsABusyLoopAndKeepsState() {
        kit.execSuccess("int before = 9;");
        CellOutcome o = kit.execInterrupted("while (true) { }", Duration.ofMillis(300));
        assertEquals("Interrupted", o.error().name());
        assertEquals(9, kit.eval("before"));
    }

    @Test
    void interruptStopsASleep() {
        CellOutcome o = kit.execInterrupted("Thread.sleep(60_000);", Duration.ofMillis(300));
        assertEquals("Interrupted", o.error().name());
    }

    @Test
    @org.junit.jupiter.api.Timeout(300) // a hang guard only: without the fix the loop below never ends
    void anInterruptWhileTheCellCompilesStopsABusyLoopBeforeItStarts() {
        kit.execSuccess("int keptAcrossEarlyInterrupt = 3;");
        JShellEvaluator evaluator = kit.session().evaluator();
        java.util.concurrent.atomic.AtomicInteger interrupts = new java.util.concurrent.atomic.AtomicInteger();
        // the interrupt lands while JShell is about to compile the loop: no snippet runs, so JShell's stop alone
        // would find nothing to stop, and the loop never looks at the cell thread's interrupt flag
        evaluator.beforeCompile(source -> {
            if (source.contains("while (true)") && interrupts.getAndIncrement() == 0) {
                Thread control = new Thread(kit.session()::interrupt, "test-control-channel");
                control.start();
                joinUninterruptibly(control);
            }
        });
        CellOutcome o;
        try {
            o = kit.exec("long spinEarly = 0;\nwhile (true) { spinEarly++; }");
        } finally {
            evaluator.beforeCompile(null);
        }
        assertEquals(1, interrupts.get());
        assertEquals("Interrupted", o.error().name(), o.errorMessage());
        assertEquals(0L, kit.eval("spinEarly"), "the loop must not have started");
        assertEquals(4, kit.eval("keptAcrossEarlyInterrupt + 1"));
        // the stop belonged to that cell: the next one runs to its end
        assertEquals(499_500L, kit.eval("long sum = 0; for (int i = 0; i < 1000; i++) { sum += i; }\nsum"));
    }

    @Test
    void anInterruptOfAnIdleKernelDoesNotStopTheNextCell() {
        kit.execSuccess("%%bash\necho before");
        kit.session().interrupt(); // no cell runs: nothing to stop, nothing left for the next cell
        assertEquals(45L, kit.eval("long idleSum = 0; for (int i = 0; i < 10; i++) { idleSum += i; }\nidleSum"));
        CellOutcome bash = kit.exec("%%bash\necho after");
        assertTrue(bash.ok(), bash.errorMessage());
        assertTrue(bash.stdout().contains("after"), bash.stdout());
    }

    @Test
    @org.junit.jupiter.api.Timeout(300) // a hang guard only
    void anInterruptAfterTheRequestArrivedButBeforeTheCellRunsStopsThatCell() {
        // as on the Jupyter side: the execute request is announced, the client interrupts, then the cell runs
        kit.session().expectCell();
        kit.session().interrupt();
        CellOutcome o = kit.exec("long neverStarted = 1;\nwhile (true) { neverStarted++; }");
        assertEquals("Interrupted", o.error().name(), o.errorMessage());
        assertFalse(kit.exec("neverStarted").ok(), "the cell must not have run at all");
        assertEquals(6, kit.eval("1 + 5"));
    }

    @Test
    void anInterruptOfARequestThatEndedWithoutRunningACellIsForgotten() {
        kit.session().expectCell();
        kit.session().interrupt();
        kit.session().requestEnded(); // e.g. an empty or silent request: no cell ran
        assertEquals(10L, kit.eval("long afterForgotten = 0; for (int i = 0; i < 5; i++) { afterForgotten += i; }\nafterForgotten"));
        kit.session().expectCell();
        kit.session().requestEnded();
        kit.session().interrupt(); // idle again
        assertEquals(3, kit.eval("1 + 2"));
    }

    private static void joinUninterruptibly(Thread t) {
        boolean interrupted = false;
        while (t.isAlive()) {
            try {
                t.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void systemExitIsRefusedAndTheKernelLives() {
        kit.execSuccess("int survivor = 11;");
        CellOutcome o = kit.execError("System.exit(0);");
        assertTrue(o.errorMessage().contains("System.exit"), o.errorMessage());
        assertEquals(11, kit.eval("survivor"));
    }

    @Test
    void aStringLiteralTooLongForJavaIsRefusedAndTheNotebookKeepsWorking() {
        kit.execSuccess("int keptAcrossHugeLiteral = 7;");
        CellOutcome huge = kit.execError("String huge = \"" + "A".repeat(100_000) + "\";");
        assertTrue(huge.errorMessage().contains("longer than Java allows"), huge.errorMessage());
        assertFalse(huge.errorMessage().contains("Internal error"), huge.errorMessage());
        assertEquals(8, kit.eval("keptAcrossHugeLiteral + 1"));
        assertEquals(-1, org.streamlab.kernel.eval.JShellEvaluator.tooLongStringLiteral("String s = \"ok\"; // \"" + "x".repeat(70_000)));
        assertEquals(11, org.streamlab.kernel.eval.JShellEvaluator.tooLongStringLiteral("String s = \"\"\"\n" + "é".repeat(40_000) + "\"\"\";"));
    }

    @Test
    void updateDisplayWithoutAnIdSaysWhatItNeeds() {
        CellOutcome o = kit.execError("updateDisplay(null, 1);");
        assertTrue(o.errorMessage().contains("updateDisplay needs the id that display(...) returned"), o.errorMessage());
        assertEquals(2, kit.eval("1 + 1"));
    }

    @Test
    void errorsFromTheKernelsOwnApiShowNoKernelFrames() {
        CellOutcome exit = kit.execError("System.exit(1);");
        assertFalse(exit.errorMessage().contains("org.streamlab"), exit.errorMessage());
        assertTrue(exit.errorMessage().contains("not allowed in a notebook"), exit.errorMessage());
        CellOutcome update = kit.execError("updateDisplay(null, 1);");
        assertFalse(update.errorMessage().contains("org.streamlab"), update.errorMessage());
    }

    @Test
    void sourceJShellCannotAnalyseIsACompileErrorNotAnInternalOne() {
        CellOutcome o = kit.execError("v.get(5)\nx -> int rec(int n) { return rec(n + 1); } import java.util.*;");
        assertFalse(o.errorMessage().contains("Internal error"), o.errorMessage());
        assertEquals(2, kit.eval("1 + 1"));
    }

    @Test
    void loadOfAnUnusablePathIsReadable() {
        CellOutcome o = kit.execError("%load bad\u0000name.java");
        assertFalse(o.errorMessage().contains("Exception"), o.errorMessage());
    }
}
