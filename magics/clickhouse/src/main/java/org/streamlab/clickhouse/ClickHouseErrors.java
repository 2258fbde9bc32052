package org.streamlab.clickhouse;

import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns driver exceptions into ClickHouse's own message: code, text and (for syntax errors) the position. */
final class ClickHouseErrors {
    private static final Pattern CODE = Pattern.compile("Code: (\\d+)");
    private static final Pattern DB_EXCEPTION = Pattern.compile("DB::Exception: (.*)", Pattern.DOTALL);

    private ClickHouseErrors() {}

    /** ClickHouse's message from an error text: "Syntax error: failed at position 8 (...): ...". */
    static String engineMessage(String text) {
        if (text == null) {
            return "";
        }
        Matcher m = DB_EXCEPTION.matcher(text);
        String msg = m.find() ? m.group(1) : text;
        // 18.16 appends ", e.what() = DB::Exception"; newer servers "(SYNTAX_ERROR) (version 24.x)" and a stack trace
        int cut = indexOfAny(msg, ", e.what() =", " (version ", "\nStack trace", "\n\n");
        if (cut >= 0) {
            msg = msg.substring(0, cut);
        }
        // the legacy driver appends this to SELECTs; the user did not write it
        msg = msg.replaceAll("\\s*FORMAT TabSeparatedWithNamesAndTypes;?", "");
        msg = msg.replaceAll("\\s+", " ").strip();
        if (msg.endsWith(".") && msg.length() > 1) {
            msg = msg.substring(0, msg.length() - 1);
        }
        return msg;
    }

    /** ClickHouse's error code (62 = syntax error, 60 = unknown table, ...) or -1. */
    static int code(String text) {
        if (text == null) {
            return -1;
        }
        Matcher m = CODE.matcher(text);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    /** The whole chain's messages, outermost first, for searching. */
    static String chain(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            sb.append(t.getClass().getName()).append(": ").append(t.getMessage()).append('\n');
        }
        return sb.toString();
    }

    /** True when the failure is "nobody answers at that address". */
    static boolean isConnectionFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ConnectException || t instanceof HttpConnectTimeoutException
                    || t instanceof java.net.NoRouteToHostException || t instanceof java.net.UnknownHostException) {
                return true;
            }
            String m = t.getMessage();
            if (m != null && (m.contains("Connection refused") || m.contains("connect timed out")
                    || m.contains("Connect to ") && m.contains("failed"))) {
                return true;
            }
        }
        return false;
    }

    private static int indexOfAny(String s, String... needles) {
        int best = -1;
        for (String n : needles) {
            int i = s.indexOf(n);
            if (i >= 0 && (best < 0 || i < best)) {
                best = i;
            }
        }
        return best;
    }
}
