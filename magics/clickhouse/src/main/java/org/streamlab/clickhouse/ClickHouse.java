package org.streamlab.clickhouse;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.streamlab.kernel.UserError;
import tech.tablesaw.api.Table;

/**
 * ClickHouse from notebook Java code: the kernel's ClickHouse service (embedded or CLICKHOUSE_URL), started on
 * first use.
 * <pre>{@code
 * try (var c = org.streamlab.clickhouse.ClickHouse.connection(); var st = c.createStatement()) {
 *     st.execute("INSERT INTO events VALUES (now(), 'click')");
 * }
 * Table t = ClickHouse.query("SELECT count() AS n FROM events");
 * }</pre>
 */
public final class ClickHouse {
    private static volatile ClickHouseService current;
    private static volatile Dashboard dashboard;

    private ClickHouse() {}

    /** Set by the extension when it registers the service of the kernel being started. */
    static void setCurrent(ClickHouseService service) {
        current = service;
    }

    static void setDashboard(Dashboard d) {
        dashboard = d;
    }

    /**
     * The kernel's web dashboard (started by {@code %clickhouse dashboard}, or {@code dashboard().start(0, 1000)}):
     * {@code ClickHouse.dashboard().panel("orders", "SELECT ...", "line", "minute", "orders")}.
     */
    public static Dashboard dashboard() {
        Dashboard d = dashboard;
        if (d == null) {
            throw new UserError("no ClickHouse dashboard in this kernel", "the streamlab-clickhouse extension was not loaded");
        }
        return d;
    }

    /** The kernel's ClickHouse service. */
    public static ClickHouseService service() {
        ClickHouseService s = current;
        if (s == null) {
            throw new UserError("no ClickHouse service in this kernel", "the streamlab-clickhouse extension was not loaded");
        }
        return s;
    }

    /** A new JDBC connection to the kernel's ClickHouse (close it when done: try-with-resources). */
    public static Connection connection() {
        return service().connection();
    }

    /** The JDBC URL, e.g. {@code jdbc:clickhouse://127.0.0.1:41234/default?compress=false}. */
    public static String url() {
        return service().jdbcUrl();
    }

    /** The server's address with its credentials and database: what a job that writes to ClickHouse needs. */
    public static Endpoint endpoint() {
        return service().ready();
    }

    /** The HTTP address, e.g. {@code http://127.0.0.1:41234}. */
    public static String httpUrl() {
        return service().httpUrl();
    }

    /** Runs one query and returns all its rows as a Tablesaw table. */
    public static Table query(String sql) {
        ClickHouseService s = service();
        try (Connection c = s.connection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return QueryResult.read(rs, 0, true, "result", () -> Thread.currentThread().isInterrupted()).table();
        } catch (SQLException | RuntimeException e) {
            if (e instanceof UserError u) {
                throw u;
            }
            throw ClickHouseMagic.statementError(s, e, 0, 1, sql);
        }
    }

    /** Runs one statement that returns no rows (DDL, INSERT). */
    public static void execute(String sql) {
        ClickHouseService s = service();
        try (Connection c = s.connection(); Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException | RuntimeException e) {
            if (e instanceof UserError u) {
                throw u;
            }
            throw ClickHouseMagic.statementError(s, e, 0, 1, sql);
        }
    }
}
