package org.streamlab.flink;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Splits a cell into SQL statements at {@code ;}, ignoring semicolons inside 'strings', "identifiers",
 * `identifiers`, -- line comments and block comments, and keeping {@code EXECUTE STATEMENT SET BEGIN ... END}
 * blocks whole. Each statement remembers where it starts in the cell, so an engine's line/column can be
 * mapped back to the cell ({@link Statement#positioned()}).
 */
final class SqlSplitter {
    private SqlSplitter() {}

    /** One statement: its text without the trailing semicolon, and its 1-based start line and column. */
    record Statement(String text, int line, int column) {
        /** The statement padded with newlines and spaces so positions the engine reports match the cell's. */
        String positioned() {
            return "\n".repeat(line - 1) + " ".repeat(column - 1) + text;
        }

        /** First keyword(s), upper-case, for classifying the statement. */
        String head() {
            return SqlSplitter.stripComments(text).strip().toUpperCase(Locale.ROOT);
        }
    }

    static List<Statement> split(String body) {
        List<Statement> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int line = 1;
        int column = 1;
        int startLine = -1;
        int startColumn = -1;
        int n = body.length();
        for (int i = 0; i < n; i++) {
            char c = body.charAt(i);
            char next = i + 1 < n ? body.charAt(i + 1) : 0;
            if (startLine < 0 && !Character.isWhitespace(c)) {
                startLine = line;
                startColumn = column;
            }
            if (c == '\'' || c == '"' || c == '`') {
                int end = i + 1;
                while (end < n) {
                    if (body.charAt(end) == c) {
                        if (end + 1 < n && body.charAt(end + 1) == c) { // doubled quote escapes itself
                            end += 2;
                            continue;
                        }
                        break;
                    }
                    end++;
                }
                end = Math.min(end, n - 1);
                for (int k = i; k <= end; k++) {
                    char ch = body.charAt(k);
                    current.append(ch);
                    if (ch == '\n') { line++; column = 1; } else { column++; }
                }
                i = end;
                continue;
            }
            if (c == '-' && next == '-') {
                int end = body.indexOf('\n', i);
                end = end < 0 ? n : end;
                current.append(body, i, end);
                column += end - i;
                i = end - 1;
                continue;
            }
            if (c == '/' && next == '*') {
                int end = body.indexOf("*/", i + 2);
                end = end < 0 ? n : end + 2;
                for (int k = i; k < end; k++) {
                    char ch = body.charAt(k);
                    current.append(ch);
                    if (ch == '\n') { line++; column = 1; } else { column++; }
                }
                i = end - 1;
                continue;
            }
            if (c == ';' && !insideStatementSet(current)) {
                add(out, current, startLine, startColumn);
                current.setLength(0);
                startLine = -1;
                column++;
                continue;
            }
            current.append(c);
            if (c == '\n') { line++; column = 1; } else { column++; }
        }
        add(out, current, startLine, startColumn);
        return out;
    }

    private static void add(List<Statement> out, StringBuilder current, int line, int column) {
        String text = current.toString().strip(); // starts where (line, column) points
        if (!stripComments(text).isBlank()) {
            out.add(new Statement(text, line, column));
        }
    }

    /** True while a {@code [EXECUTE] STATEMENT SET BEGIN} block is open (its END not yet seen). */
    private static boolean insideStatementSet(StringBuilder current) {
        String head = stripComments(current.toString()).strip().toUpperCase(Locale.ROOT).replaceAll("\\s+", " ");
        if (!(head.startsWith("EXECUTE STATEMENT SET") || head.startsWith("BEGIN STATEMENT SET")
                || head.startsWith("STATEMENT SET"))) {
            return false;
        }
        return !head.matches("(?s).*\\bEND\\s*$");
    }

    /** The text with comments removed (strings kept as they are). */
    static String stripComments(String sql) {
        StringBuilder sb = new StringBuilder(sql.length());
        int n = sql.length();
        for (int i = 0; i < n; i++) {
            char c = sql.charAt(i);
            char next = i + 1 < n ? sql.charAt(i + 1) : 0;
            if (c == '\'' || c == '"' || c == '`') {
                int end = sql.indexOf(c, i + 1);
                end = end < 0 ? n - 1 : end;
                sb.append(sql, i, end + 1);
                i = end;
            } else if (c == '-' && next == '-') {
                int end = sql.indexOf('\n', i);
                if (end < 0) {
                    break;
                }
                i = end - 1;
            } else if (c == '/' && next == '*') {
                int end = sql.indexOf("*/", i + 2);
                if (end < 0) {
                    break;
                }
                sb.append(' ');
                i = end + 1;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
