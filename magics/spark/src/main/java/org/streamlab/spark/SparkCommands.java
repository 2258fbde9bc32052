package org.streamlab.spark;

import org.streamlab.platform.sql.SqlScript;

import io.delta.tables.DeltaTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.plans.logical.CommandResult;
import org.apache.spark.sql.types.StructType;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.streamlab.kernel.UserError;
import org.streamlab.kernel.display.HtmlTable;
import org.streamlab.kernel.magic.MagicContext;
import tech.tablesaw.api.Table;

/** What {@code %%sparksql} and {@code %delta} do once their arguments are checked. */
final class SparkCommands {
    private SparkCommands() {}

    /** A result: rows to show, and (for --into) every row. */
    private record Outcome(RowTables.Result shown, List<Row> all, String caption) {}

    static Object sparksql(SparkService service, MagicContext context, String body, int maxRows, String into) {
        List<SqlScript.Statement> statements = SqlScript.split(body);
        if (statements.isEmpty()) {
            throw new UserError("the cell holds no SQL statement",
                    "write statements below the %%sparksql line, separated by ';'");
        }
        SparkEngine engine = started(service, context);
        String description = "%%sparksql: " + abbreviate(statements.get(0).text());
        Object[] result = engine.run(context, description, session -> {
            Outcome outcome = null;
            int ran = 0;
            for (int i = 0; i < statements.size(); i++) {
                SqlScript.Statement st = statements.get(i);
                try {
                    Dataset<Row> ds = session.sql(st.text());
                    boolean command = ds.queryExecution().commandExecuted() instanceof CommandResult;
                    boolean laterQuery = statements.subList(i + 1, statements.size()).stream()
                            .anyMatch(SqlScript.Statement::isQuery);
                    if (command) {
                        // a command ran already; its rows (UPDATE/MERGE counts, SHOW output) are shown if any
                        if (!ds.schema().isEmpty()) {
                            Outcome rows = collect(ds, maxRows, into != null, null);
                            if (rows.shown().total() > 0) {
                                outcome = rows;
                            }
                        }
                    } else if (!laterQuery) {
                        outcome = collect(ds, maxRows, into != null, null);
                    }
                } catch (Exception e) { // Spark's AnalysisException is a checked exception
                    throw SparkErrors.statementError(e, st, statements.size(), ran);
                }
                ran++;
            }
            return new Object[] {outcome, ran};
        });
        Outcome outcome = (Outcome) result[0];
        int ran = (Integer) result[1];
        if (outcome == null) {
            if (into != null) {
                throw new UserError("no statement of the cell returned rows, so --into " + into + " was not set",
                        "end the cell with a query; the " + ran + " statement(s) ran");
            }
            return new DisplayData(ran == 1 ? "OK" : "OK: " + ran + " statements");
        }
        return present(context, outcome, into);
    }

    static Object history(SparkService service, MagicContext context, String target, int maxRows) {
        SparkEngine engine = started(service, context);
        Outcome outcome = engine.run(context, "%delta history " + target, session -> {
            String rel = relation(session, target);
            return sql(session, () -> {
                Dataset<Row> h = session.sql("DESCRIBE HISTORY " + rel)
                        .select("version", "timestamp", "operation", "operationParameters", "operationMetrics")
                        .orderBy(org.apache.spark.sql.functions.col("version").desc());
                return collect(h, maxRows, false, "history of " + target);
            });
        });
        return present(context, outcome, null);
    }

    static Object timetravel(SparkService service, MagicContext context, String target, Long version, String timestamp,
                             int maxRows, String into) {
        SparkEngine engine = started(service, context);
        String at = version != null ? "VERSION AS OF " + version : "TIMESTAMP AS OF " + CatalogStore.literal(timestamp);
        String label = version != null ? "version " + version : "timestamp " + timestamp;
        Outcome outcome = engine.run(context, "%delta timetravel " + target + " " + label, session -> {
            String rel = relation(session, target);
            return sql(session, () -> collect(session.sql("SELECT * FROM " + rel + " " + at), maxRows, into != null,
                    target + " at " + label));
        });
        return present(context, outcome, into);
    }

    static Object diff(SparkService service, MagicContext context, String target, long v1, long v2, int maxRows) {
        SparkEngine engine = started(service, context);
        Outcome outcome = engine.run(context, "%delta diff " + target + " " + v1 + " " + v2, session -> {
            String rel = relation(session, target);
            return sql(session, () -> {
                String older = "SELECT * FROM " + rel + " VERSION AS OF " + v1;
                String newer = "SELECT * FROM " + rel + " VERSION AS OF " + v2;
                // check both versions before the set operations, for a clear "no such version" error
                session.sql(older).schema();
                session.sql(newer).schema();
                Dataset<Row> changes = session.sql(
                        "SELECT 'removed' AS `_change`, * FROM (" + older + " EXCEPT ALL " + newer + ")"
                        + " UNION ALL SELECT 'added' AS `_change`, * FROM (" + newer + " EXCEPT ALL " + older + ")");
                RowTables.Result first = RowTables.firstRows(changes, maxRows);
                long added = 0;
                long removed = 0;
                if (first.total() == first.rows().size()) {
                    for (Row r : first.rows()) {
                        if ("added".equals(r.getString(0))) added++; else removed++;
                    }
                } else {
                    for (Row r : changes.groupBy("_change").count().collectAsList()) {
                        if ("added".equals(r.getString(0))) added = r.getLong(1); else removed = r.getLong(1);
                    }
                }
                String caption = target + ", version " + v1 + " \u2192 " + v2 + ": " + added + " added, " + removed + " removed";
                return new Outcome(first, null, caption);
            });
        });
        return present(context, outcome, null);
    }

    /** The running engine; a first start shows a line that turns into how long it took. */
    static SparkEngine started(SparkService service, MagicContext context) {
        if (service.state() == org.streamlab.platform.ServiceState.RUNNING) {
            return service.engine();
        }
        String where = service.externalAddress().map(a -> "on " + a).orElse("local[*]");
        String id = context.display(new DisplayData("Starting Spark (" + where + ", Delta Lake)..."));
        long start = System.nanoTime();
        try {
            SparkEngine engine = service.engine();
            context.updateDisplay(id, new DisplayData(String.format(java.util.Locale.ROOT, "Spark %s started in %.1f s (%s)",
                    engine.session().version(), (System.nanoTime() - start) / 1e9, engine.master())));
            return engine;
        } catch (RuntimeException | Error e) {
            context.updateDisplay(id, new DisplayData("Spark did not start"));
            throw e;
        }
    }

    private static Object present(MagicContext context, Outcome outcome, String into) {
        if (into != null) {
            Table table = RowTables.toTablesaw(into, outcome.shown().schema(), outcome.all());
            context.bind(into, table, Table.class);
        }
        HtmlTable html = outcome.shown().toHtml(outcome.caption());
        return html;
    }

    private static Outcome collect(Dataset<Row> ds, int maxRows, boolean all, String caption) {
        if (!all) {
            return new Outcome(RowTables.firstRows(ds, maxRows), null, caption);
        }
        List<Row> rows = ds.collectAsList();
        StructType schema = ds.schema();
        List<Row> first = new ArrayList<>(rows.subList(0, Math.min(maxRows, rows.size())));
        return new Outcome(new RowTables.Result(schema, first, rows.size()), rows, caption);
    }

    /** Runs Spark work of a %delta subcommand, turning Spark's errors into readable ones. */
    private static <T> T sql(SparkSession session, java.util.function.Supplier<T> work) {
        try {
            return work.get();
        } catch (UserError e) {
            throw e;
        } catch (Exception e) { // Spark's AnalysisException is a checked exception
            String condition = SparkErrors.condition(e);
            String message = SparkErrors.clean(e);
            String hint = message.contains("version") || message.contains("timestamp")
                    || (condition != null && condition.contains("TIME_TRAVEL"))
                    ? "%delta history lists the versions and their timestamps"
                    : "check the table and the arguments (%help delta)";
            throw new UserError(message, hint, e);
        }
    }

    /** The SQL name of a table, or delta.`path` for a folder; fails clearly when neither exists. */
    static String relation(SparkSession session, String target) {
        if (isPath(target)) {
            String path = target;
            Path local = CatalogStore.localPath(target);
            if (local != null) {
                path = local.toString();
                if (!Files.isDirectory(local)) {
                    throw new UserError("no Delta table at " + path + ": the folder does not exist",
                            "give the folder of a Delta table (it holds _delta_log), or a table name");
                }
            }
            if (!DeltaTable.isDeltaTable(session, path)) {
                throw new UserError("no Delta table at " + path + ": the folder has no _delta_log",
                        "write it as Delta first (df.write().format(\"delta\").save(path)), or give a table name");
            }
            return "delta.`" + path.replace("`", "``") + "`";
        }
        boolean exists;
        try {
            exists = session.catalog().tableExists(target);
        } catch (Exception e) {
            throw new UserError("not a table name: " + target + " (" + SparkErrors.clean(e) + ")",
                    "write a table name (orders, sales.orders) or a folder path with a '/'");
        }
        if (!exists) {
            throw new UserError("no table named " + target,
                    "SHOW TABLES lists the tables; a Delta folder is given as a path with a '/' (./data/" + target + ")");
        }
        return target;
    }

    static boolean isPath(String target) {
        return target.contains("/") || target.contains("\\") || target.matches("^[A-Za-z][A-Za-z0-9+.-]*:.*");
    }

    private static String abbreviate(String s) {
        String one = s.replaceAll("\\s+", " ");
        return one.length() <= 80 ? one : one.substring(0, 77) + "...";
    }
}
