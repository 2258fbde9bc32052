package org.streamlab.kernel.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A stop belongs to the cell it was asked for: it reaches that cell's snippets, and no other cell's. */
class CellStopTest {
    static JShellEvaluator evaluator;

    @BeforeAll
    static void start() {
        evaluator = new JShellEvaluator(System.getProperty("java.class.path"));
    }

    @AfterAll
    static void close() {
        evaluator.close();
    }

    @Test
    void aStopAskedWhileNoSnippetRunsStopsEverySnippetOfThatCellAndNoOther() {
        evaluator.beginCell(101);
        evaluator.stop(101); // the cell is compiling: nothing runs yet
        CellFailure first = assertThrows(CellFailure.class, () -> evaluator.eval("int stopped = 1;", 1));
        assertEquals(CellFailure.Kind.INTERRUPTED, first.kind());
        CellFailure second = assertThrows(CellFailure.class, () -> evaluator.eval("int alsoStopped = 2;", 2));
        assertEquals(CellFailure.Kind.INTERRUPTED, second.kind());
        evaluator.endCell(101);
        evaluator.beginCell(102);
        assertEquals(7, evaluator.eval("3 + 4", 1));
        evaluator.endCell(102);
    }

    @Test
    void aStopForACellThatEndedOrIsNotCurrentIsDiscarded() {
        evaluator.beginCell(201);
        evaluator.endCell(201);
        evaluator.stop(201); // late: the cell ended
        evaluator.beginCell(202);
        evaluator.stop(201); // stale: meant for the previous cell
        assertEquals(12, evaluator.eval("5 + 7", 1));
        evaluator.endCell(202);
        evaluator.stop(203); // not begun yet
        evaluator.beginCell(203);
        assertEquals(2, evaluator.eval("1 + 1", 1));
        evaluator.endCell(203);
    }
}
