package org.streamlab.kernel.eval;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hands live objects across the JShell boundary in both directions. Evaluation is in-process, so the
 * value of a cell's last expression is kept here (JShell itself only sees a key), and magics bind
 * values to notebook variables by parking them here for the declaring snippet to take.
 */
public final class LiveValues {
    private static final String PREFIX = "\u0000live:";
    private static final Map<String, Object> VALUES = new ConcurrentHashMap<>();
    private static final AtomicLong NEXT = new AtomicLong();

    private LiveValues() {}

    /** Parks a value; returns the key a snippet or the evaluator uses to take it. */
    public static String park(Object value) {
        String key = PREFIX + NEXT.incrementAndGet();
        VALUES.put(key, value == null ? NULL : value);
        return key;
    }

    /** Takes (and forgets) a parked value. Called from generated snippets, hence public. */
    public static Object take(String key) {
        Object v = VALUES.remove(key);
        return v == NULL ? null : v;
    }

    static boolean isKey(String s) {
        return s != null && s.startsWith(PREFIX);
    }

    static void clear() {
        VALUES.clear();
    }

    private static final Object NULL = new Object();
}
