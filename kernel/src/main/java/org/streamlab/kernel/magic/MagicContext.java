package org.streamlab.kernel.magic;

import java.io.PrintStream;
import org.streamlab.kernel.KernelConfig;

/** What a running magic may do with the notebook it runs in. One context per cell execution. */
public interface MagicContext {
    /** The cell's standard output: text appears in the notebook as it is printed. */
    PrintStream out();

    PrintStream err();

    /** Shows {@code value} (rendered through the renderer registry) below the cell; returns the display id. */
    String display(Object value);

    /** Replaces what an earlier {@link #display} showed, in place. */
    void updateDisplay(String displayId, Object value);

    /**
     * Declares a notebook variable holding {@code value}, typed as {@code type}, so Java cells can carry on
     * from a magic's result ({@code --into VAR}). Redeclaring replaces the previous variable.
     */
    <T> void bind(String variable, T value, Class<? super T> type);

    /**
     * Registers what to do when the user interrupts this cell (cancel a job, close a consumer). The hook
     * runs on another thread; it is dropped when the cell ends or when the returned handle is closed.
     */
    AutoCloseable onInterrupt(Runnable cancel);

    /** True once the user asked to interrupt this cell; long loops in magics should check it. */
    boolean isInterrupted();

    KernelConfig config();
}
