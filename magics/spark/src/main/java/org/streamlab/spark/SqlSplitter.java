package org.streamlab.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Splits a cell into SQL statements at top-level {@code ;}, respecting 'single' and "double" quoted strings
 * (with backslash escapes, as Spark SQL reads them), `back-quoted` identifiers, {@code --} line comments and
 * {@code /* block *}{@code /} comments. Statements holding only blanks and comments are dropped.
 */
final class SqlSplitter {
    private SqlSplitter() {}

    /** One statement of a cell, with where it starts in the cell (for error positions). */
    record Statement(int index, String text, int line, int column) {
        /** The first word, upper-cased, ignoring leading comments and parentheses ("(" for a parenthesised query). */
        String keyword() {
            String s = stripLeadingComments(text);
            if (s.startsWith("(")) {
                return "(";
            }
            int end = 0;
            while (end < s.length() && Character.isLetter(s.charAt(end))) {
                end++;
            }
            return s.substring(0, end).toUpperCase(Locale.ROOT);
        }

        /** True for statements that read rows lazily (SELECT, WITH, VALUES, TABLE, FROM, a parenthesised query). */
        boolean looksLikeQuery() {
            return switch (keyword()) {
                case "SELECT", "WITH", "VALUES", "TABLE", "FROM", "(" -> true;
                default -> false;
            };
        }
    }

    static List<Statement> split(String cell) {
        List<Statement> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int line = 1;
        int column = 0;
        int startLine = -1;
        int startColumn = -1;
        boolean meaningful = false;
        int i = 0;
        int n = cell.length();
        while (i < n) {
            char c = cell.charAt(i);
            int consumed;
            boolean code = false;
            if (c == '\'' || c == '"' || c == '`') {
                int j = i + 1;
                while (j < n) {
                    char d = cell.charAt(j);
                    if (d == '\\' && c != '`' && j + 1 < n) {
                        j += 2;
                        continue;
                    }
                    if (d == c) {
                        if (c == '`' && j + 1 < n && cell.charAt(j + 1) == '`') {
                            j += 2; // `` inside a back-quoted identifier
                            continue;
                        }
                        break;
                    }
                    j++;
                }
                consumed = Math.min(n, j + 1) - i;
                code = true;
            } else if (c == '-' && i + 1 < n && cell.charAt(i + 1) == '-') {
                int j = cell.indexOf('\n', i);
                consumed = (j < 0 ? n : j) - i;
            } else if (c == '/' && i + 1 < n && cell.charAt(i + 1) == '*') {
                int j = cell.indexOf("*/", i + 2);
                consumed = (j < 0 ? n : j + 2) - i;
            } else if (c == ';') {
                if (meaningful) {
                    out.add(new Statement(out.size() + 1, current.toString().strip(), startLine, startColumn));
                }
                current.setLength(0);
                meaningful = false;
                startLine = -1;
                column++;
                i++;
                continue;
            } else {
                consumed = 1;
                code = !Character.isWhitespace(c);
            }
            if (code && !meaningful) {
                meaningful = true;
            }
            if (startLine < 0 && !Character.isWhitespace(c)) {
                startLine = line;
                startColumn = column;
            }
            String piece = cell.substring(i, i + consumed);
            current.append(piece);
            for (int k = 0; k < piece.length(); k++) {
                if (piece.charAt(k) == '\n') {
                    line++;
                    column = 0;
                } else {
                    column++;
                }
            }
            i += consumed;
        }
        if (meaningful) {
            out.add(new Statement(out.size() + 1, current.toString().strip(), startLine, startColumn));
        }
        return out;
    }

    static String stripLeadingComments(String s) {
        String t = s.stripLeading();
        while (true) {
            if (t.startsWith("--")) {
                int j = t.indexOf('\n');
                t = j < 0 ? "" : t.substring(j + 1).stripLeading();
            } else if (t.startsWith("/*")) {
                int j = t.indexOf("*/");
                t = j < 0 ? "" : t.substring(j + 2).stripLeading();
            } else {
                return t;
            }
        }
    }
}
