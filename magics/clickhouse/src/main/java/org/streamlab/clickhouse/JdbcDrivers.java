package org.streamlab.clickhouse;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

/**
 * The two JDBC drivers, instantiated directly (not through DriverManager) and only when a connection is
 * first needed, so that loading the extension loads no driver class.
 * <ul>
 * <li>legacy {@code ru.yandex.clickhouse:clickhouse-jdbc} 0.2.6 for old servers (Debian's 18.16), with
 *     {@code compress=false}: 18.16 answers compressed requests with an empty body;</li>
 * <li>the official {@code com.clickhouse:clickhouse-jdbc} for current servers.</li>
 * </ul>
 */
final class JdbcDrivers {
    private static volatile Driver legacy;
    private static volatile Driver official;

    private JdbcDrivers() {}

    static String url(Endpoint e, boolean useLegacy) {
        if (useLegacy) {
            return "jdbc:clickhouse://" + e.host() + ":" + e.port() + "/" + e.database() + "?compress=false"
                    + (e.scheme().equals("https") ? "&ssl=true" : "");
        }
        return "jdbc:clickhouse:" + e.scheme() + "://" + e.host() + ":" + e.port() + "/" + e.database();
    }

    static Connection connect(Endpoint e, boolean useLegacy) throws SQLException {
        Properties p = new Properties();
        if (e.user() != null) {
            p.setProperty("user", e.user());
            p.setProperty("password", e.password() == null ? "" : e.password());
        }
        Driver d = useLegacy ? legacyDriver() : officialDriver();
        Connection c = d.connect(url(e, useLegacy), p);
        if (c == null) {
            throw new SQLException("the driver " + d.getClass().getName() + " did not accept " + url(e, useLegacy));
        }
        return c;
    }

    private static Driver legacyDriver() throws SQLException {
        Driver d = legacy;
        if (d == null) {
            d = initializeOffThread(ru.yandex.clickhouse.ClickHouseDriver::new);
            legacy = d;
        }
        return d;
    }

    private static Driver officialDriver() throws SQLException {
        Driver d = official;
        if (d == null) {
            d = initializeOffThread(com.clickhouse.jdbc.ClickHouseDriver::new);
            official = d;
        }
        return d;
    }

    /**
     * Creates a driver on a thread of its own. A driver's first instance initialises its classes (and their
     * logging); a Jupyter interrupt reaching the cell thread in the middle of that would leave the classes
     * failed for the rest of the JVM ("Could not initialize class"). Here the interrupt only stops the wait.
     */
    static Driver initializeOffThread(Supplier<Driver> create) throws SQLException {
        CompletableFuture<Driver> future = new CompletableFuture<>();
        Thread init = new Thread(() -> {
            try {
                future.complete(create.get());
            } catch (Throwable t) {
                future.completeExceptionally(t);
            }
        }, "clickhouse-driver-init");
        init.setDaemon(true);
        init.start();
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while the ClickHouse driver was loading; run the cell again", e);
        } catch (ExecutionException e) {
            throw new SQLException("the ClickHouse driver could not be loaded: " + e.getCause(), e.getCause());
        }
    }
}
