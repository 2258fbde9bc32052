package org.streamlab.kernel;

import org.streamlab.kernel.display.BuiltinRenderers;

/**
 * Helpers every cell can call without an import (the kernel imports them statically):
 * {@code display(x)}, {@code updateDisplay(id, x)}, {@code html("...")}, {@code markdown("...")}.
 */
public final class Notebook {
    private Notebook() {}

    /** Shows a value below the cell, rendered like a cell result; returns an id for {@link #updateDisplay}. */
    public static String display(Object value) {
        return KernelSession.current().display(value);
    }

    /** Replaces a value shown earlier with {@link #display}, in place. */
    public static void updateDisplay(String displayId, Object value) {
        KernelSession.current().updateDisplay(displayId, value);
    }

    public static BuiltinRenderers.Html html(String html) {
        return BuiltinRenderers.Html.of(html);
    }

    public static BuiltinRenderers.Markdown markdown(String markdown) {
        return BuiltinRenderers.Markdown.of(markdown);
    }
}
