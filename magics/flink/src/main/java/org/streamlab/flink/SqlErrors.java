package org.streamlab.flink;

import java.util.Optional;
import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.streamlab.kernel.UserError;

/** Turns Flink's exceptions into one readable line with the engine's own message and position. */
final class SqlErrors {
    private SqlErrors() {}

    static UserError toUserError(String where, Throwable e, boolean earlierRan) {
        if (org.streamlab.kernel.Throwables.interrupted(e)) {
            return new UserError(where + "interrupted", "run the cell again" + (earlierRan ? "; the statements before it ran" : ""), e);
        }
        String message = describe(e);
        String hint;
        String lower = message.toLowerCase(java.util.Locale.ROOT);
        if (lower.contains("parse failed") || lower.contains("encountered")) {
            hint = "fix the SQL at the line and column shown (lines count from the first line under %%flinksql)";
        } else if (lower.contains("not found") || lower.contains("does not exist")) {
            hint = "SHOW TABLES lists the tables; CREATE TABLE defines one";
        } else if (lower.contains("could not find any factory")) {
            hint = "check the 'connector' or 'format' option: the available identifiers are listed above";
        } else {
            hint = "fix the statement and run the cell again";
        }
        if (earlierRan) {
            hint += "; the statements before it ran";
        }
        return new UserError(where + message, hint, e);
    }

    static String describe(Throwable e) {
        Throwable top = unwrap(e);
        String first = cleanFirstLine(top);
        Throwable root = top;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String rootLine = cleanFirstLine(root);
        String message = first;
        if (root != top && !rootLine.isBlank() && !first.contains(rootLine)) {
            message = first.isBlank() ? rootLine : first + " Cause: " + rootLine;
        }
        if (message.isBlank()) {
            message = "the statement failed without a message (the engines' log: workspace/logs/engines.log)";
        }
        String rootText = root.getMessage() == null ? "" : root.getMessage();
        int idx = rootText.indexOf("Available factory identifiers are:");
        if (idx >= 0) {
            String ids = rootText.substring(idx + "Available factory identifiers are:".length()).strip()
                    .replaceAll("\\s+", ", ");
            message += " Available: " + ids;
        }
        return message;
    }

    private static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof java.util.concurrent.ExecutionException
                || t instanceof java.util.concurrent.CompletionException
                || t instanceof java.lang.reflect.InvocationTargetException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static String cleanFirstLine(Throwable t) {
        String m = t.getMessage();
        m = org.streamlab.kernel.Throwables.clean(m);
        if (m.isBlank()) {
            return "";
        }
        int was = m.indexOf("Was expecting");
        if (was >= 0) {
            String expecting = m.substring(was);
            m = m.substring(0, was).strip();
            // Name a few of the expected tokens: enough to see what was meant.
            String[] lines = expecting.split("\n");
            StringBuilder sb = new StringBuilder();
            int n = 0;
            for (int i = 1; i < lines.length && n < 5; i++) {
                String l = lines[i].strip();
                if (l.isEmpty() || l.equals("...")) {
                    continue;
                }
                sb.append(n == 0 ? "" : ", ").append(l);
                n++;
            }
            if (n > 0) {
                m += " Expected one of: " + sb + (lines.length > 6 ? ", ..." : "");
            }
            return m;
        }
        String firstLine = m.strip().lines().findFirst().orElse("").strip();
        return firstLine;
    }

    /** Why a job failed, from the cluster. */
    static String jobFailure(FlinkEngine engine, JobID id) {
        try {
            JobResult r = engine.jobResult(id);
            Optional<? extends Throwable> cause = r.getSerializedThrowable().map(st -> st.deserializeError(SqlErrors.class.getClassLoader()));
            return cause.map(SqlErrors::describe).orElse("unknown cause");
        } catch (Exception e) {
            return "see the cluster's logs (" + e.getClass().getSimpleName() + ")";
        }
    }
}
