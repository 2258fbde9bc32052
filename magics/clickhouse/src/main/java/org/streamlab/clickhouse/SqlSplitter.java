package org.streamlab.clickhouse;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a cell into statements at {@code ;} outside quotes ('...', "...", `...`, with backslash escapes and
 * doubled quotes) and comments ({@code -- ...} and {@code /* ... *}{@code /}). Comments are removed: old drivers
 * decide "is this a SELECT" from the first word and append {@code FORMAT ...} at the end, where a trailing
 * {@code --} comment would swallow it. Pieces with nothing but blanks are skipped.
 */
final class SqlSplitter {
    private SqlSplitter() {}

    static List<String> split(String sql) {
        List<String> out = new ArrayList<>();
        if (sql == null) {
            return out;
        }
        StringBuilder cur = new StringBuilder();
        int n = sql.length();
        int i = 0;
        while (i < n) {
            char c = sql.charAt(i);
            if (c == '\'' || c == '"' || c == '`') {
                int end = skipQuoted(sql, i, c);
                cur.append(sql, i, end);
                i = end;
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                int end = sql.indexOf('\n', i);
                i = end < 0 ? n : end; // the newline itself is kept
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int end = sql.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
                cur.append(' ');
            } else if (c == ';') {
                add(out, cur.toString());
                cur.setLength(0);
                i++;
            } else {
                cur.append(c);
                i++;
            }
        }
        add(out, cur.toString());
        return out;
    }

    private static int skipQuoted(String s, int start, char q) {
        int i = start + 1;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '\\') {
                i += 2;
            } else if (c == q) {
                if (i + 1 < s.length() && s.charAt(i + 1) == q) {
                    i += 2; // doubled quote inside the literal
                } else {
                    return i + 1;
                }
            } else {
                i++;
            }
        }
        return s.length(); // unclosed: ClickHouse will report it
    }

    private static void add(List<String> out, String stmt) {
        String s = stmt.strip();
        if (!s.isEmpty()) {
            out.add(s);
        }
    }
}
