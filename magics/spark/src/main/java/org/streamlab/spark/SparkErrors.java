package org.streamlab.spark;

import org.streamlab.platform.sql.SqlScript;

import org.apache.spark.SparkThrowable;
import org.apache.spark.sql.AnalysisException;
import org.streamlab.kernel.UserError;

/** Turns Spark and Delta exceptions into one readable line: Spark's own message, with its position. */
final class SparkErrors {
    private SparkErrors() {}

    /** The most telling message of {@code t}: the deepest Spark error condition in its causes, else the root cause. */
    static String clean(Throwable t) {
        Throwable best = null;
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof SparkThrowable st && st.getCondition() != null) {
                best = c; // keep going: a job failure wraps the task's real error
            }
            if (c.getCause() == null && best == null) {
                best = c;
            }
        }
        if (best == null) {
            best = t;
        }
        String msg;
        if (best instanceof AnalysisException ae) {
            msg = ae.getSimpleMessage();
        } else {
            msg = best.getMessage();
        }
        if (msg == null || msg.isBlank()) {
            return best.getClass().getSimpleName();
        }
        int sql = msg.indexOf("\n== SQL");
        if (sql >= 0) {
            msg = msg.substring(0, sql);
        }
        int plan = msg.indexOf(";\n'");
        if (plan >= 0) {
            msg = msg.substring(0, plan);
        }
        String oneLine = msg.strip().replaceAll("\\s*\\n\\s*", " ");
        if (!(best instanceof SparkThrowable) && !(best instanceof RuntimeException && best.getClass().getName().startsWith("org.apache.spark"))) {
            String type = best.getClass().getSimpleName();
            if (!oneLine.startsWith(type)) {
                oneLine = type + ": " + oneLine;
            }
        }
        return oneLine;
    }

    static String condition(Throwable t) {
        String condition = null;
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof SparkThrowable st && st.getCondition() != null) {
                condition = st.getCondition();
            }
        }
        return condition;
    }

    /**
     * The error of statement {@code st} of a cell of {@code total} statements, {@code ran} of which completed.
     */
    static UserError statementError(Throwable t, SqlScript.Statement st, int total, int ran) {
        String where = total > 1 ? "statement " + st.index() + " of " + total + " (cell line " + st.line() + "): " : "";
        String message = where + clean(t);
        String condition = condition(t);
        String hint;
        if ("TABLE_OR_VIEW_NOT_FOUND".equals(condition)) {
            hint = "SHOW TABLES lists the tables of the current database; Delta folders are read as delta.`/path`";
        } else if (condition != null && condition.startsWith("PARSE_SYNTAX_ERROR")) {
            hint = "fix the SQL (line and pos count from the start of the statement)";
        } else {
            hint = "fix the statement and run the cell again";
        }
        if (ran > 0) {
            hint += (ran == 1 ? "; statement 1 ran" : "; statements 1-" + ran + " ran") + " and its changes are kept";
        }
        return new UserError(message, hint, t);
    }
}
