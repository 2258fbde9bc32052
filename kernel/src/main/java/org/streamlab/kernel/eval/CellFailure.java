package org.streamlab.kernel.eval;

import java.util.List;

/**
 * A cell that did not complete: a compile error, an exception thrown by user code, or an interrupt.
 * {@link #lines()} is the readable report (source line and caret, or the user's stack frames).
 */
public final class CellFailure extends RuntimeException {
    public enum Kind { COMPILE_ERROR, EXCEPTION, INTERRUPTED }

    private final Kind kind;
    private final String exceptionName;
    private final List<String> lines;

    public CellFailure(Kind kind, String exceptionName, String message, List<String> lines) {
        super(message, null, false, false);
        this.kind = kind;
        this.exceptionName = exceptionName;
        this.lines = List.copyOf(lines);
    }

    public Kind kind() { return kind; }

    /** "CompileError", "Interrupted", or the thrown exception's class name. */
    public String exceptionName() { return exceptionName; }

    public List<String> lines() { return lines; }
}
