package org.streamlab.kernel.display;

import java.util.Arrays;

/** The text/plain form of a value, as a Java programmer would write it (strings quoted, arrays expanded). */
public final class TextForm {
    private TextForm() {}

    public static String of(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof String s) {
            return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + '"';
        }
        if (value instanceof Character c) {
            return "'" + c + "'";
        }
        if (value instanceof Object[] a) {
            return Arrays.deepToString(a);
        }
        if (value.getClass().isArray()) {
            return arrayToString(value);
        }
        return String.valueOf(value);
    }

    private static String arrayToString(Object array) {
        int n = java.lang.reflect.Array.getLength(array);
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : ", ").append(java.lang.reflect.Array.get(array, i));
        }
        return sb.append(']').toString();
    }
}
