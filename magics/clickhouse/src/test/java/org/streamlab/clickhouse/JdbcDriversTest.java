package org.streamlab.clickhouse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Driver;
import java.sql.SQLException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class JdbcDriversTest {

    @Test
    void anInterruptStopsTheWaitButNotTheDriversInitialisation() throws Exception {
        CountDownLatch initStarted = new CountDownLatch(1);
        CountDownLatch initMayFinish = new CountDownLatch(1);
        AtomicReference<Boolean> initSawInterrupt = new AtomicReference<>();
        AtomicReference<Throwable> waiterFailure = new AtomicReference<>();
        Thread cell = new Thread(() -> {
            try {
                JdbcDrivers.initializeOffThread(() -> {
                    initStarted.countDown();
                    try {
                        initMayFinish.await();
                    } catch (InterruptedException e) {
                        initSawInterrupt.set(true);
                    }
                    initSawInterrupt.compareAndSet(null, Thread.currentThread().isInterrupted());
                    return new ru.yandex.clickhouse.ClickHouseDriver();
                });
            } catch (Throwable t) {
                waiterFailure.set(t);
            }
        });
        cell.start();
        assertTrue(initStarted.await(30, TimeUnit.SECONDS));
        cell.interrupt();
        cell.join(30_000);
        initMayFinish.countDown();

        SQLException e = (SQLException) waiterFailure.get();
        assertTrue(e.getMessage().contains("run the cell again"), e.getMessage());
        // the initialising thread never saw the cell's interrupt
        for (int i = 0; i < 300 && initSawInterrupt.get() == null; i++) {
            Thread.sleep(100);
        }
        assertEquals(Boolean.FALSE, initSawInterrupt.get());
    }

    @Test
    void aFailingInitialisationIsReadable() {
        SQLException e = assertThrows(SQLException.class, () -> JdbcDrivers.initializeOffThread(() -> {
            throw new IllegalStateException("no such class");
        }));
        assertTrue(e.getMessage().contains("could not be loaded") && e.getMessage().contains("no such class"),
                e.getMessage());
    }

    @Test
    void theDriverIsCreated() throws SQLException {
        Driver d = JdbcDrivers.initializeOffThread(ru.yandex.clickhouse.ClickHouseDriver::new);
        assertTrue(d.acceptsURL("jdbc:clickhouse://127.0.0.1:8123/default"));
    }
}
