package org.streamlab.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamlab.kernel.testkit.KernelTestKit;

/** Delta tables made with CREATE TABLE ... USING DELTA are still there after a kernel restart. */
class SparkCatalogPersistenceTest {
    @TempDir
    Path workspace;

    @Test
    void tablesSurviveARestartAndDropsStayDropped() throws Exception {
        Path warehouse = workspace.resolve("spark/warehouse");
        try (KernelTestKit kit = KernelTestKit.start(workspace)) {
            kit.execSuccess("""
                    %%sparksql
                    CREATE TABLE events (id INT, kind STRING) USING DELTA;
                    INSERT INTO events VALUES (1, 'click'), (2, 'view');
                    UPDATE events SET kind = 'tap' WHERE id = 1;
                    CREATE DATABASE sales;
                    CREATE TABLE sales.orders (id INT, amount DOUBLE) USING DELTA;
                    INSERT INTO sales.orders VALUES (7, 70.0);
                    CREATE TABLE scratch (i INT) USING DELTA;
                    CREATE TABLE renamed_src (i INT) USING DELTA;
                    INSERT INTO renamed_src VALUES (5);
                    ALTER TABLE renamed_src RENAME TO renamed_dst
                    """);
            assertTrue(Files.isDirectory(warehouse.resolve("events/_delta_log")));
            assertTrue(Files.isDirectory(warehouse.resolve("sales.db/orders/_delta_log")));
            String catalog = Files.readString(workspace.resolve("spark/catalog.json"));
            assertTrue(catalog.contains("\"events\"") && catalog.contains("\"sales\"") && catalog.contains("renamed_dst"), catalog);
        }

        // a new kernel on the same workspace: a fresh SparkSession with an empty in-memory catalog, restored
        try (KernelTestKit kit = KernelTestKit.start(workspace)) {
            assertEquals(List.of("1|tap", "2|view"),
                    SparkSqlMagicTest.rows(kit.execHtml("%%sparksql\nSELECT * FROM events ORDER BY id")));
            assertEquals(List.of("7|70.0"), SparkSqlMagicTest.rows(kit.execHtml("%%sparksql\nSELECT * FROM sales.orders")));
            assertEquals(List.of("5"), SparkSqlMagicTest.rows(kit.execHtml("%%sparksql\nSELECT * FROM renamed_dst")));
            // history survives and registering the table again wrote no new commit
            List<String> history = SparkSqlMagicTest.rows(kit.execHtml("%delta history events"));
            assertEquals(3, history.size(), history.toString());
            assertTrue(history.get(0).startsWith("2|") && history.get(0).contains("UPDATE"), history.get(0));
            // the restored table keeps working: write, then time travel
            kit.execSuccess("%%sparksql\nINSERT INTO events VALUES (3, 'buy')");
            assertEquals(2, SparkSqlMagicTest.rows(kit.execHtml("%delta timetravel events --version 2")).size());
            // DROP of a (formerly managed) table removes it and its folder, as before the restart
            kit.execSuccess("%%sparksql\nDROP TABLE scratch");
            assertFalse(Files.exists(warehouse.resolve("scratch")), "the dropped managed table's folder is deleted");
            String tables = kit.execHtml("%%sparksql\nSHOW TABLES");
            assertFalse(tables.contains("scratch"), tables);
            // a managed table can be created again under the dropped name
            kit.execSuccess("%%sparksql\nCREATE TABLE scratch (j STRING) USING DELTA; INSERT INTO scratch VALUES ('again')");
            kit.execSuccess("%%sparksql\nDROP TABLE scratch");
        }

        try (KernelTestKit kit = KernelTestKit.start(workspace)) {
            String tables = kit.execHtml("%%sparksql\nSHOW TABLES");
            assertTrue(tables.contains("events") && tables.contains("renamed_dst"), tables);
            assertFalse(tables.contains("scratch"), "a dropped table does not come back: " + tables);
            assertFalse(tables.contains("renamed_src"), "a renamed table is not registered under its old name: " + tables);
            assertEquals(List.of("3"), SparkSqlMagicTest.rows(kit.execHtml("%%sparksql\nSELECT count(*) FROM events")));
            assertTrue(kit.execHtml("%%sparksql\nSHOW DATABASES").contains("sales"));
        }
    }
}
