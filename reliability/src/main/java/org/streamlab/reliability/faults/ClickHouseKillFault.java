package org.streamlab.reliability.faults;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.streamlab.clickhouse.ClickHouse;
import org.streamlab.kernel.testkit.KernelTestKit;

/**
 * The clickhouse-server process of the clickhouse service is SIGKILLed while a batch INSERT is running (seen in
 * system.processes); the writer does what Phase 4 / 02 teaches: the table is a ReplacingMergeTree whose sorting key
 * is the row's identity, and a batch that failed is sent again, whole. The service restarts the server on the same
 * data folder when the next connection is asked for.
 */
public final class ClickHouseKillFault {
    private static final String TABLE = "faults_rows";

    private ClickHouseKillFault() {
    }

    public static FaultResult run(KernelTestKit kit, int batches, int rowsPerBatch) throws Exception {
        kit.execSuccess("%%clickhouse\nSELECT 1");
        ClickHouse.execute("DROP TABLE IF EXISTS " + TABLE);
        ClickHouse.execute("CREATE TABLE " + TABLE + " (id UInt64, batch UInt32, payload String)"
                + " ENGINE = ReplacingMergeTree ORDER BY id");
        int killBatch = batches / 2;
        long killedPid = -1;
        AtomicLong killedAt = new AtomicLong();
        long recoveredAt = 0;
        long retriedBatchDone = 0;
        int attemptsOfKillBatch = 0;
        boolean killLandedMidInsert = false;
        List<String> notes = new ArrayList<>();
        for (int b = 0; b < batches; b++) {
            Thread killer = null;
            long[] pidBox = {-1};
            if (b == killBatch) {
                killer = new Thread(() -> pidBox[0] = killWhenInsertRuns(killedAt), "faults-clickhouse-killer");
                killer.start();
            }
            int attempts = 0;
            while (true) {
                attempts++;
                try {
                    insertBatch(b, rowsPerBatch);
                    break;
                } catch (SQLException | RuntimeException e) {
                    if (b != killBatch || attempts > 50) {
                        throw e;
                    }
                    if (killer != null) {
                        killer.join();
                        killer = null;
                        killLandedMidInsert = true;
                        notes.add("insert of batch " + b + " failed: " + oneLine(e));
                        // recovered: the first query that answers after the kill (the service restarts the server)
                        while (true) {
                            try (Connection c = ClickHouse.connection(); Statement s = c.createStatement();
                                 ResultSet rs = s.executeQuery("SELECT 1")) {
                                rs.next();
                                recoveredAt = System.nanoTime();
                                break;
                            } catch (SQLException | RuntimeException notYet) {
                                Thread.sleep(100);
                            }
                        }
                    }
                    Thread.sleep(200);
                }
            }
            if (b == killBatch) {
                attemptsOfKillBatch = attempts;
                retriedBatchDone = System.nanoTime();
                if (killer != null) {
                    killer.join();
                }
                killedPid = pidBox[0];
            }
        }
        long expected = (long) batches * rowsPerBatch;
        long raw = count("SELECT count() FROM " + TABLE);
        long finalRows = count("SELECT count() FROM " + TABLE + " FINAL");
        long distinct = count("SELECT uniqExact(id) FROM " + TABLE);
        long inRange = count("SELECT countDistinct(id) FROM " + TABLE + " WHERE id < " + expected);
        long lost = expected - inRange;
        long duplicated = finalRows - distinct;
        notes.add(batches + " batches of " + rowsPerBatch + " rows; server pid " + killedPid + " SIGKILLed during batch "
                + killBatch + (killLandedMidInsert ? " (its INSERT was in system.processes, and failed)" : " (the INSERT ended before the kill)")
                + "; the batch was sent " + attemptsOfKillBatch + " times");
        notes.add("rows on disk before merges: " + raw + " (duplicates of a partly written batch show here), with FINAL: "
                + finalRows + ", distinct ids: " + distinct);
        String recovery = killedAt.get() == 0 ? "no kill" : FaultResult.millis(recoveredAt - killedAt.get())
                + " from the kill until ClickHouse answered again; " + FaultResult.millis(retriedBatchDone - killedAt.get())
                + " until the batch was written";
        return new FaultResult("ClickHouse: server killed mid-insert", "SIGKILL of clickhouse-server, batch re-sent",
                killLandedMidInsert && killedPid > 0, expected, lost, duplicated, recovery, notes);
    }

    private static void insertBatch(int batch, int rows) throws SQLException {
        try (Connection c = ClickHouse.connection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO " + TABLE + " (id, batch, payload) VALUES (?, ?, ?)")) {
            long first = (long) batch * rows;
            for (long id = first; id < first + rows; id++) {
                ps.setLong(1, id);
                ps.setInt(2, batch);
                ps.setString(3, "row-" + id + "-" + "x".repeat(40));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Waits until an INSERT into the table is running on the server, then SIGKILLs the server; returns its pid. */
    private static long killWhenInsertRuns(AtomicLong killedAt) {
        long pid = ClickHouse.service().serverPid();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            boolean insertRuns = false;
            try (Connection c = ClickHouse.connection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count() FROM system.processes WHERE query LIKE 'INSERT INTO " + TABLE + "%'")) {
                rs.next();
                insertRuns = rs.getLong(1) > 0;
            } catch (SQLException | RuntimeException e) {
                // not there yet
            }
            // the kill and the wait for the exit stay outside that catch: a failure there must not read as "not yet"
            // and send this thread on polling (and restarting) the server
            if (insertRuns) {
                Optional<ProcessHandle> server = ProcessHandle.of(pid);
                if (server.isEmpty()) {
                    return -1;
                }
                killedAt.set(System.nanoTime());
                server.get().destroyForcibly(); // SIGKILL
                long exitDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (server.get().isAlive() && System.nanoTime() < exitDeadline) {
                    sleepQuietly(5);
                }
                return server.get().isAlive() ? -1 : pid;
            }
            if (!sleepQuietly(5)) {
                return -1;
            }
        }
        return -1;
    }

    /** False when interrupted. */
    private static boolean sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static long count(String sql) throws SQLException {
        try (Connection c = ClickHouse.connection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String oneLine(Throwable e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return e.getClass().getSimpleName() + ": " + (nl < 0 ? m : m.substring(0, nl));
    }
}
