package org.streamlab.flink;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The result of a query as the user sees it: rows materialized from Flink's changelog. +I appends,
 * -U/-D remove an equal row, +U replaces the row its -U removed (in place, so an updating count stays
 * on its line). Values are kept as Flink returns them (Long, String, LocalDateTime, ...).
 */
final class ChangelogResult {
    private final List<String> columns;
    private final List<List<Object>> rows = new ArrayList<>();
    private long changes;
    private int pendingUpdateIndex = -1;

    ChangelogResult(List<String> columns) {
        this.columns = List.copyOf(columns);
    }

    enum Kind { INSERT, UPDATE_BEFORE, UPDATE_AFTER, DELETE }

    /** Applies one change. Returns false if a retraction named a row that is not shown. */
    boolean apply(Kind kind, List<Object> values) {
        changes++;
        switch (kind) {
            case INSERT -> {
                rows.add(values);
                pendingUpdateIndex = -1;
                return true;
            }
            case UPDATE_AFTER -> {
                if (pendingUpdateIndex >= 0 && pendingUpdateIndex <= rows.size()) {
                    rows.add(pendingUpdateIndex, values);
                } else {
                    rows.add(values);
                }
                pendingUpdateIndex = -1;
                return true;
            }
            case UPDATE_BEFORE, DELETE -> {
                int index = indexOf(values);
                pendingUpdateIndex = kind == Kind.UPDATE_BEFORE ? index : -1;
                if (index < 0) {
                    return false;
                }
                rows.remove(index);
                return true;
            }
            default -> throw new IllegalStateException(String.valueOf(kind));
        }
    }

    private int indexOf(List<Object> values) {
        for (int i = rows.size() - 1; i >= 0; i--) {
            if (sameValues(rows.get(i), values)) {
                return i;
            }
        }
        return -1;
    }

    private static boolean sameValues(List<Object> a, List<Object> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            Object x = a.get(i);
            Object y = b.get(i);
            if (x instanceof byte[] bx && y instanceof byte[] by) {
                if (!java.util.Arrays.equals(bx, by)) {
                    return false;
                }
            } else if (!Objects.equals(x, y)) {
                return false;
            }
        }
        return true;
    }

    List<String> columns() { return columns; }

    List<List<Object>> rows() { return rows; }

    int size() { return rows.size(); }

    long changes() { return changes; }
}
