package org.streamlab.kernel;

import java.util.regex.Pattern;

/** Readable text for exceptions that reach a learner through a magic: no class names, no bare "null". */
public final class Throwables {
    private static final Pattern QUALIFIED = Pattern.compile(
            "\\b(?:[a-z][\\w$]*\\.)+([A-Z][\\w$]*(?:Exception|Error|Throwable))\\b:?\\s*");
    private static final Pattern SIMPLE_PREFIX = Pattern.compile("^[A-Z][\\w$]*(?:Exception|Error): ");

    private Throwables() {
    }

    /** Whether {@code e} or one of its causes says the thread was interrupted (a Jupyter stop, a cell watchdog). */
    public static boolean interrupted(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof InterruptedException || t instanceof java.io.InterruptedIOException
                    || t instanceof java.nio.channels.ClosedByInterruptException
                    || (t.getMessage() != null && t.getMessage().contains("java.lang.InterruptedException"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The message of the deepest cause that has one, with Java class names taken out; "interrupted" when the chain
     * was interrupted; never null or "null".
     */
    public static String readableMessage(Throwable e) {
        if (interrupted(e)) {
            return "interrupted";
        }
        String found = null;
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String m = clean(t.getMessage());
            if (!m.isEmpty()) {
                found = m;
            }
        }
        return found != null ? found : "failed without a message (the engines' log: workspace/logs/engines.log)";
    }

    /** {@code text} without qualified exception class names or a leading "SomeException: "; "" for null/"null". */
    public static String clean(String text) {
        if (text == null) {
            return "";
        }
        String m = QUALIFIED.matcher(text).replaceAll("").strip();
        m = SIMPLE_PREFIX.matcher(m).replaceFirst("").strip();
        return m.equals("null") ? "" : m;
    }
}
