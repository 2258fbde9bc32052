package org.streamlab.platform.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The statements of a SQL cell, for every engine's magic. Splits at {@code ;} outside 'strings', "strings",
 * `identifiers` (backslash escapes and doubled quotes both understood), {@code --} line comments and
 * {@code /* block *}{@code /} comments; keeps Flink's {@code EXECUTE STATEMENT SET BEGIN ... END} whole; drops
 * statements that hold only blanks and comments. Each statement remembers where it starts in the cell, so an
 * engine's error position can be shown in cell coordinates.
 */
public final class SqlScript {
    private SqlScript() {}

    /**
     * One statement: its text (trimmed, comments kept, no trailing semicolon), its 1-based number in the
     * cell, and the 1-based line and column where it starts.
     */
    public record Statement(int index, String text, int line, int column) {
        /** The text with comments removed (old JDBC drivers and keyword checks need that). */
        public String withoutComments() {
            return stripComments(text).strip();
        }

        /** The first word, upper-case ("(" for a parenthesised query). */
        public String keyword() {
            String s = withoutComments();
            if (s.startsWith("(")) {
                return "(";
            }
            int end = 0;
            while (end < s.length() && Character.isLetter(s.charAt(end))) {
                end++;
            }
            return s.substring(0, end).toUpperCase(Locale.ROOT);
        }

        /** True for statements that read rows: SELECT, WITH, VALUES, TABLE, FROM, or a parenthesised query. */
        public boolean isQuery() {
            return switch (keyword()) {
                case "SELECT", "WITH", "VALUES", "TABLE", "FROM", "(" -> true;
                default -> false;
            };
        }

        /** The text padded with newlines and spaces, so positions an engine reports are the cell's positions. */
        public String positioned() {
            return "\n".repeat(line - 1) + " ".repeat(column - 1) + text;
        }
    }

    public static List<Statement> split(String cell) {
        List<Statement> out = new ArrayList<>();
        if (cell == null) {
            return out;
        }
        StringBuilder current = new StringBuilder();
        Cursor at = new Cursor();
        int startLine = -1;
        int startColumn = -1;
        int n = cell.length();
        int i = 0;
        while (i < n) {
            char c = cell.charAt(i);
            char next = i + 1 < n ? cell.charAt(i + 1) : 0;
            if (startLine < 0 && !Character.isWhitespace(c)) {
                startLine = at.line;
                startColumn = at.column;
            }
            int end;
            if (c == '\'' || c == '"' || c == '`') {
                end = endOfQuoted(cell, i, c);
            } else if (c == '-' && next == '-') {
                int nl = cell.indexOf('\n', i);
                end = nl < 0 ? n : nl;
            } else if (c == '/' && next == '*') {
                int close = cell.indexOf("*/", i + 2);
                end = close < 0 ? n : close + 2;
            } else if (c == ';' && !insideStatementSet(current)) {
                add(out, current, startLine, startColumn);
                current.setLength(0);
                startLine = -1;
                at.advance(c);
                i++;
                continue;
            } else {
                end = i + 1;
            }
            for (int k = i; k < end; k++) {
                current.append(cell.charAt(k));
                at.advance(cell.charAt(k));
            }
            i = end;
        }
        add(out, current, startLine, startColumn);
        return out;
    }

    /** The text with comments removed: a block comment becomes a space, a line comment ends at its newline. */
    public static String stripComments(String sql) {
        StringBuilder sb = new StringBuilder(sql.length());
        int n = sql.length();
        int i = 0;
        while (i < n) {
            char c = sql.charAt(i);
            char next = i + 1 < n ? sql.charAt(i + 1) : 0;
            if (c == '\'' || c == '"' || c == '`') {
                int end = endOfQuoted(sql, i, c);
                sb.append(sql, i, end);
                i = end;
            } else if (c == '-' && next == '-') {
                int nl = sql.indexOf('\n', i);
                i = nl < 0 ? n : nl;
            } else if (c == '/' && next == '*') {
                int close = sql.indexOf("*/", i + 2);
                i = close < 0 ? n : close + 2;
                sb.append(' ');
            } else {
                sb.append(c);
                i++;
            }
        }
        return sb.toString();
    }

    /** Index after the closing quote; an unclosed quote runs to the end (the engine reports it). */
    private static int endOfQuoted(String s, int start, char quote) {
        int i = start + 1;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '\\' && quote != '`') {
                i += 2;
            } else if (c == quote) {
                if (i + 1 < s.length() && s.charAt(i + 1) == quote) {
                    i += 2; // a doubled quote stands for itself
                } else {
                    return i + 1;
                }
            } else {
                i++;
            }
        }
        return s.length();
    }

    private static void add(List<Statement> out, StringBuilder current, int line, int column) {
        String text = current.toString().strip();
        if (!stripComments(text).isBlank()) {
            out.add(new Statement(out.size() + 1, text, line, column));
        }
    }

    /** True while a {@code [EXECUTE] STATEMENT SET BEGIN} block is open (its END not seen yet). */
    private static boolean insideStatementSet(StringBuilder current) {
        String head = stripComments(current.toString()).strip().toUpperCase(Locale.ROOT).replaceAll("\\s+", " ");
        if (!(head.startsWith("EXECUTE STATEMENT SET") || head.startsWith("BEGIN STATEMENT SET")
                || head.startsWith("STATEMENT SET"))) {
            return false;
        }
        return !head.matches("(?s).*\\bEND\\s*$");
    }

    private static final class Cursor {
        int line = 1;
        int column = 1;

        void advance(char c) {
            if (c == '\n') {
                line++;
                column = 1;
            } else {
                column++;
            }
        }
    }
}
