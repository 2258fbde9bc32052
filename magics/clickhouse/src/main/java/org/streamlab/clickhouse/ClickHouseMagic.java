package org.streamlab.clickhouse;

import org.streamlab.platform.sql.SqlScript;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.lang.model.SourceVersion;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.streamlab.kernel.UserError;
import org.streamlab.kernel.magic.MagicArgs;
import org.streamlab.kernel.magic.MagicContext;
import org.streamlab.kernel.magic.MagicSpec;
import org.streamlab.kernel.magic.MagicUsageException;
import org.streamlab.kernel.magic.ParsedArgs;
import tech.tablesaw.api.Table;

/** {@code %%clickhouse}: statements of a cell run in order; the last query's rows shown, bound or charted. */
public final class ClickHouseMagic {
    static final int DEFAULT_MAX_ROWS = 20;

    static final String USAGE = """
            %%clickhouse [--max-rows N] [--into VAR] [--chart line|bar --x COL --y COL]
            SQL statement; SQL statement; ...

            Runs the cell's statements on ClickHouse one after the other (split at ';' outside quotes and
            comments). DDL (CREATE, DROP, ALTER), INSERT and OPTIMIZE run; the last statement's rows are
            shown: the first N rows and the total row count. The first failing statement stops the cell
            with ClickHouse's message (and the error position for syntax errors); the ones before it ran.

              --max-rows N       rows shown (default 20; 0 shows only the count)
              --into VAR         also bind the last result as a notebook variable: tech.tablesaw.api.Table VAR
              --chart line|bar   draw the last result as a PNG chart (instead of the table); needs --x and --y
              --x COL            result column on the x axis (numbers or times: a line over time; else categories)
              --y COL            numeric result column on the y axis

            Server: the embedded clickhouse-server (data in the workspace folder, kept across restarts), or the one
            at CLICKHOUSE_URL (e.g. http://127.0.0.1:8123, as an environment variable or in streamlab.properties).
            %services shows its address; %services restart clickhouse restarts it.
            From Java cells: org.streamlab.clickhouse.ClickHouse.connection() (a java.sql.Connection; close it),
            ClickHouse.url() (JDBC URL), ClickHouse.httpUrl(), ClickHouse.query("SELECT ...") (a Tablesaw Table).

            Debian's server is ClickHouse 18.16: MergeTree engines, materialized views, FINAL, toStartOfMinute,
            quantiles, uniq, argMax, -If combinators work; window functions, DateTime64, Map/JSON types, TTL,
            toStartOfInterval, date_trunc and EXPLAIN do not.

            Example:
              %%clickhouse --chart line --x minute --y orders
              SELECT toStartOfMinute(ts) AS minute, count() AS orders FROM events GROUP BY minute ORDER BY minute
            """;

    private ClickHouseMagic() {}

    public static MagicSpec spec(ClickHouseService service) {
        return MagicSpec.cell("clickhouse", "run SQL on ClickHouse: show, chart or bind the last result (--into VAR)", USAGE,
                (context, args, body) -> run(service, context, args, body));
    }

    record Options(int maxRows, Optional<String> into, Optional<String> chart, Optional<String> x, Optional<String> y) {
        boolean collect() { return into.isPresent() || chart.isPresent(); }
    }

    static Options parse(MagicArgs args) {
        ParsedArgs a = args.parse(Set.of(), Set.of("max-rows", "into", "chart", "x", "y"));
        a.atMostPositional(0);
        int maxRows = a.positiveInt("max-rows", DEFAULT_MAX_ROWS, 0);
        Optional<String> into = a.option("into");
        if (into.isPresent() && (!SourceVersion.isIdentifier(into.get()) || SourceVersion.isKeyword(into.get()))) {
            throw new MagicUsageException("--into needs a Java variable name, got: " + into.get());
        }
        Optional<String> chart = a.option("chart");
        Optional<String> x = a.option("x");
        Optional<String> y = a.option("y");
        if (chart.isPresent()) {
            a.choice("chart", "line", "line", "bar");
            if (x.isEmpty() || y.isEmpty()) {
                throw new MagicUsageException("--chart " + chart.get() + " needs --x COL and --y COL (the result columns to draw)");
            }
        } else if (x.isPresent() || y.isPresent()) {
            throw new MagicUsageException("--x and --y go with --chart line|bar");
        }
        return new Options(maxRows, into, chart, x, y);
    }

    static Object run(ClickHouseService service, MagicContext context, MagicArgs args, String body) throws Exception {
        Options o = parse(args);
        // old drivers decide "is this a SELECT" from the first word and append FORMAT at the end: no comments
        List<String> statements = SqlScript.split(body).stream().map(SqlScript.Statement::withoutComments).toList();
        if (statements.isEmpty()) {
            throw new MagicUsageException("the cell has no SQL: write statements on the lines below %%clickhouse");
        }
        QueryResult last = null;
        try (Connection c = service.connection()) {
            for (int i = 0; i < statements.size(); i++) {
                if (context.isInterrupted()) {
                    throw new UserError("interrupted: " + i + " of " + statements.size() + " statements ran", null);
                }
                String sql = statements.get(i);
                boolean isLast = i == statements.size() - 1;
                try (Statement st = c.createStatement();
                     AutoCloseable ignored = context.onInterrupt(() -> cancel(st))) {
                    boolean hasRows = st.execute(sql);
                    if (!hasRows && isLast && looksLikeQuery(sql)) {
                        // e.g. the official driver against a server too old for it: no rows and no error
                        throw new UserError("ClickHouse returned no result for a query (" + service.driverDescription() + ")",
                                "if the server is older than 22, leave CLICKHOUSE_JDBC unset (the legacy driver is chosen);"
                                        + " statement: " + abbreviate(sql.replaceAll("\\s+", " "), 200));
                    }
                    if (hasRows) {
                        try (ResultSet rs = st.getResultSet()) {
                            if (isLast && rs != null) {
                                last = QueryResult.read(rs, o.maxRows(), o.collect(), o.into().orElse("result"),
                                        context::isInterrupted);
                            }
                        }
                    }
                } catch (UserError e) {
                    throw e;
                } catch (SQLException | RuntimeException e) {
                    if (context.isInterrupted()) {
                        throw new UserError("interrupted: statement " + (i + 1) + " of " + statements.size() + " cancelled", null);
                    }
                    throw statementError(service, e, i, statements.size(), sql);
                }
            }
        }
        if (last == null) {
            if (o.collect()) {
                throw new UserError((o.into().isPresent() ? "--into" : "--chart") + " needs rows, but the last statement returned none",
                        "end the cell with a SELECT");
            }
            int n = statements.size();
            return new DisplayData("OK: " + (n == 1 ? "1 statement" : n + " statements") + " ran");
        }
        if (o.into().isPresent()) {
            Table table = last.table();
            context.bind(o.into().get(), table, Table.class);
            context.out().println(o.into().get() + ": Table of " + table.rowCount() + " rows, " + table.columnCount() + " columns");
        }
        if (o.chart().isPresent()) {
            return ResultChart.render(last, o.chart().get(), o.x().get(), o.y().get());
        }
        return last.toHtmlTable();
    }

    private static void cancel(Statement st) {
        try {
            st.cancel();
        } catch (Exception ignored) {
            // best effort; closing the statement below ends the request too
        }
        try {
            st.close();
        } catch (Exception ignored) {
            // idem
        }
    }

    static UserError statementError(ClickHouseService service, Exception e, int index, int total, String sql) {
        if (ClickHouseErrors.isConnectionFailure(e)) {
            return service.connectionError(e);
        }
        String chain = ClickHouseErrors.chain(e);
        String msg = ClickHouseErrors.engineMessage(chain.contains("DB::Exception") ? chain : e.getMessage());
        int code = ClickHouseErrors.code(chain);
        String where = total == 1 ? "" : " in statement " + (index + 1) + " of " + total
                + (index == 0 ? "" : " (the " + (index == 1 ? "one" : index) + " before it ran)");
        String advice = switch (code) {
            case 60 -> "SHOW TABLES lists the tables; ";
            case 81 -> "SHOW DATABASES lists the databases; ";
            case 46 -> "functions newer than the server's ClickHouse are missing (18.16 has no toStartOfInterval, date_trunc, window functions); ";
            case 47 -> "check the column names: DESCRIBE TABLE t lists them; ";
            default -> "";
        };
        return new UserError("ClickHouse" + where + ": " + (msg.isEmpty() ? e.getMessage() : msg),
                advice + "statement: " + abbreviate(sql.replaceAll("\\s+", " "), 300), e);
    }

    static boolean looksLikeQuery(String sql) {
        String first = sql.stripLeading().split("[\\s(]", 2)[0].toUpperCase(java.util.Locale.ROOT);
        return switch (first) {
            case "SELECT", "WITH", "SHOW", "DESCRIBE", "DESC", "EXISTS" -> true;
            default -> false;
        };
    }

    private static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
