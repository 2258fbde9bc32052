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
            %%clickhouse [--max-rows N] [--into VAR] [--chart line|bar --x COL --y COL] [--panel NAME]
            SQL statement; SQL statement; ...
            %clickhouse dashboard [--port N] [--refresh SECONDS]
            %clickhouse dashboard stop
            %clickhouse dashboard remove NAME

            Runs the cell's statements on ClickHouse one after the other (split at ';' outside quotes and
            comments). DDL (CREATE, DROP, ALTER), INSERT and OPTIMIZE run; the last statement's rows are
            shown: the first N rows and the total row count. The first failing statement stops the cell
            with ClickHouse's message (and the error position for syntax errors); the ones before it ran.

              --max-rows N       rows shown (default 20; 0 shows only the count)
              --into VAR         also bind the last result as a notebook variable: tech.tablesaw.api.Table VAR
              --chart line|bar   draw the last result as a PNG chart (instead of the table); needs --x and --y
              --x COL            result column on the x axis (numbers or times: a line over time; else categories)
              --y COL            numeric result column on the y axis
              --panel NAME       also put the last query on the web dashboard as panel NAME (its chart, or a table
                                 without --chart); the same NAME replaces the panel

            Dashboard: a small web page served by the kernel on 127.0.0.1 (self-contained, works offline) that
            redraws its panels every SECONDS (default 1) from a read-only query endpoint, GET /api/query?sql=...
            (ClickHouse's JSONCompact answer; ClickHouse refuses anything but reads there).
              %clickhouse dashboard          start it (or show its address): --port N (default: a free port),
                                             --refresh SECONDS (default 1)
              %clickhouse dashboard stop     stop serving (panels are kept); the kernel's shutdown stops it too
              %clickhouse dashboard remove NAME   drop a panel
            From Java: ClickHouse.dashboard().panel(name, sql, "line"|"bar"|"table", xCol, yCol), .url().

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
        return spec(service, null);
    }

    /** The cell magic; {@code dashboard} receives {@code --panel} queries (null: --panel is refused). */
    public static MagicSpec spec(ClickHouseService service, Dashboard dashboard) {
        return MagicSpec.cell("clickhouse", "run SQL on ClickHouse: show, chart or bind the last result (--into VAR)", USAGE,
                (context, args, body) -> run(service, dashboard, context, args, body));
    }

    /** {@code %clickhouse dashboard ...}: the line magic. */
    public static MagicSpec lineSpec(ClickHouseService service, Dashboard dashboard) {
        return MagicSpec.line("clickhouse", "the ClickHouse web dashboard: start, stop, remove a panel", USAGE,
                (context, args) -> runLine(service, dashboard, args));
    }

    static Object runLine(ClickHouseService service, Dashboard dashboard, MagicArgs args) {
        ParsedArgs a = args.parse(Set.of(), Set.of("port", "refresh"));
        String command = a.positional(0, "a subcommand (dashboard)");
        if (!command.equals("dashboard")) {
            throw new MagicUsageException("unknown subcommand " + command + " (the line magic has: dashboard)");
        }
        String action = a.positionalIfPresent(1).orElse("start");
        switch (action) {
            case "start" -> {
                a.atMostPositional(2);
                int port = a.intOption("port", 0);
                if (port < 0 || port > 65535) {
                    throw new MagicUsageException("--port must be between 1 and 65535 (leave it out for a free port), got: " + port);
                }
                double seconds = a.doubleOption("refresh", 1.0);
                if (!(seconds >= 0.2 && seconds <= 3600)) {
                    throw new MagicUsageException("--refresh is in seconds, between 0.2 and 3600, got: " + a.option("refresh").orElse(""));
                }
                service.ready(); // ClickHouse down or missing: its own readable error, before anything listens
                dashboard.start(port, (int) Math.round(seconds * 1000));
                return dashboardLink(dashboard, service.jupyterProxyPrefix());
            }
            case "stop" -> {
                a.atMostPositional(2);
                if (!dashboard.isRunning()) {
                    return new DisplayData("the dashboard is not running");
                }
                String url = dashboard.url();
                dashboard.stop();
                return new DisplayData("dashboard at " + url + " stopped (panels kept: " + dashboard.panelNames().size() + ")");
            }
            case "remove" -> {
                a.atMostPositional(3);
                String name = a.positional(2, "the panel's NAME");
                dashboard.removePanel(name);
                return new DisplayData("panel " + name + " removed");
            }
            default -> throw new MagicUsageException("unknown dashboard action " + action + " (start, stop, remove NAME)");
        }
    }

    /**
     * The dashboard's address; behind JupyterHub (Binder) the browser cannot reach the kernel's loopback, so the
     * link goes through jupyter-server-proxy ({@code PREFIX/proxy/PORT/}) and the direct address is shown beside it.
     */
    static Object dashboardLink(Dashboard dashboard, java.util.Optional<String> proxyPrefix) {
        String url = dashboard.url();
        List<String> names = dashboard.panelNames();
        String panels = names.isEmpty() ? "no panels yet: add one with %%clickhouse --panel NAME"
                : names.size() + " panels: " + String.join(", ", names);
        String link = proxyPrefix
                .map(prefix -> (prefix.endsWith("/") ? prefix : prefix + "/") + "proxy/" + dashboard.port() + "/")
                .orElse(url);
        String direct = link.equals(url) ? "" : ", in the kernel's machine " + url;
        return org.streamlab.kernel.display.BuiltinRenderers.Html.of("dashboard: <a href=\"" + escape(link) + "\" target=\"_blank\">"
                + escape(link) + "</a> (" + escape(panels) + escape(direct) + ")");
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    record Options(int maxRows, Optional<String> into, Optional<String> chart, Optional<String> x, Optional<String> y,
                   Optional<String> panel) {
        boolean collect() { return into.isPresent() || chart.isPresent(); }
    }

    static Options parse(MagicArgs args) {
        ParsedArgs a = args.parse(Set.of(), Set.of("max-rows", "into", "chart", "x", "y", "panel"));
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
        Optional<String> panel = a.option("panel");
        if (panel.isPresent() && panel.get().isBlank()) {
            throw new MagicUsageException("--panel needs a name, e.g. --panel \"orders per minute\"");
        }
        return new Options(maxRows, into, chart, x, y, panel);
    }

    static Object run(ClickHouseService service, Dashboard dashboard, MagicContext context, MagicArgs args, String body)
            throws Exception {
        Options o = parse(args);
        if (o.panel().isPresent() && dashboard == null) {
            throw new MagicUsageException("--panel needs the dashboard, which this kernel does not have");
        }
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
            if (o.collect() || o.panel().isPresent()) {
                String option = o.into().isPresent() ? "--into" : o.chart().isPresent() ? "--chart" : "--panel";
                throw new UserError(option + " needs rows, but the last statement returned none", "end the cell with a SELECT");
            }
            int n = statements.size();
            return new DisplayData("OK: " + (n == 1 ? "1 statement" : n + " statements") + " ran");
        }
        // the chart first: a cell whose --x/--y do not fit its rows fails before it leaves a broken panel behind
        Object shown = o.chart().isPresent() ? ResultChart.render(last, o.chart().get(), o.x().get(), o.y().get()) : last.toHtmlTable();
        if (o.panel().isPresent()) {
            String lastSql = statements.get(statements.size() - 1);
            dashboard.panel(o.panel().get(), lastSql, o.chart().orElse("table"), o.x().orElse(null), o.y().orElse(null));
            context.out().println("panel " + o.panel().get() + " on the dashboard"
                    + (dashboard.isRunning() ? " at " + dashboard.url() : " (start it with %clickhouse dashboard)"));
        }
        if (o.into().isPresent()) {
            Table table = last.table();
            context.bind(o.into().get(), table, Table.class);
            context.out().println(o.into().get() + ": Table of " + table.rowCount() + " rows, " + table.columnCount() + " columns");
        }
        return shown;
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
