package org.streamlab.kernel;

import java.util.ArrayList;
import java.util.List;
import org.streamlab.kernel.eval.CellFailure;

/** How a failed cell is reported: a name, a one-line value and the lines the notebook shows. */
public record ErrorReport(String name, String value, List<String> lines) {
    private static final String RED = "\u001b[31m";
    private static final String RESET = "\u001b[0m";

    public static ErrorReport of(Throwable t) {
        if (t instanceof CellFailure f) {
            List<String> lines = new ArrayList<>();
            for (int i = 0; i < f.lines().size(); i++) {
                lines.add(i == 0 ? RED + f.lines().get(i) + RESET : f.lines().get(i));
            }
            return new ErrorReport(f.exceptionName(), f.getMessage(), lines);
        }
        if (t instanceof UserError u) {
            List<String> lines = new ArrayList<>();
            lines.add(RED + "Error: " + u.getMessage() + RESET);
            if (u.hint() != null) {
                lines.addAll(List.of(u.hint().split("\n")));
            }
            String name = t.getClass() == UserError.class ? "Error" : t.getClass().getSimpleName();
            return new ErrorReport(name, u.getMessage(), lines);
        }
        // a bug in the kernel or an extension: show it plainly, the kernel stays up
        List<String> lines = new ArrayList<>();
        lines.add(RED + "Internal error: " + t + RESET);
        StackTraceElement[] trace = t.getStackTrace();
        for (int i = 0; i < Math.min(8, trace.length); i++) {
            lines.add("    at " + trace[i]);
        }
        return new ErrorReport(t.getClass().getName(), String.valueOf(t.getMessage()), lines);
    }

    /** The report without terminal colours, for tests and logs. */
    public String plainText() {
        return String.join("\n", lines).replaceAll("\u001b\\[[0-9;]*m", "");
    }
}
