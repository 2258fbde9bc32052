package org.streamlab.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Phase 2 / 05 batch job: input validation, and a day curated twice leaves the same rows (replaceWhere). */
class CurateEventsJobTest {
    @TempDir
    Path dir;

    @Test
    void validationNamesTheFirstBadLine() throws Exception {
        Path good = dir.resolve("good.jsonl");
        Files.write(good, List.of("{\"event_id\": \"a\", \"user_id\": \"u1\", \"type\": \"view\", \"ts\": \"2026-03-01T10:00:00Z\"}", ""));
        assertNull(CurateEventsJob.validate(good));
        Path truncated = dir.resolve("bad.jsonl");
        Files.write(truncated, List.of("{\"event_id\": \"a\", \"user_id\": \"u1\", \"type\": \"view\", \"ts\": \"2026-03-01T10:00:00Z\"}",
                "{\"event_id\": \"b\", \"user_"));
        assertTrue(CurateEventsJob.validate(truncated).startsWith("line 2 of "), CurateEventsJob.validate(truncated));
        Path missing = dir.resolve("missing.jsonl");
        Files.write(missing, List.of("{\"event_id\": \"a\", \"type\": \"view\", \"ts\": \"2026-03-01T10:00:00Z\"}"));
        assertTrue(CurateEventsJob.validate(missing).contains("has no user_id"), CurateEventsJob.validate(missing));
    }

    @Test
    void aDayCuratedTwiceKeepsItsRowsAndTheOtherDays() throws Exception {
        Path day1 = dir.resolve("events-2026-03-01.jsonl");
        Path day2 = dir.resolve("events-2026-03-02.jsonl");
        Files.write(day1, List.of(event("1", "2026-03-01"), event("2", "2026-03-01"), event("2", "2026-03-01")));  // a duplicate
        Files.write(day2, List.of(event("3", "2026-03-02")));
        Path table = dir.resolve("curated/events");
        assertEquals(2, CurateEventsJob.curate(day1, table, "2026-03-01"));
        assertEquals(1, CurateEventsJob.curate(day2, table, "2026-03-02"));
        assertEquals(2, CurateEventsJob.curate(day1, table, "2026-03-01"));

        SparkSession spark = SparkSession.builder().master("local[1]").config("spark.ui.enabled", "false")
                .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
                .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog").getOrCreate();
        try {
            Map<String, Long> perDay = new TreeMap<>();
            for (Row r : spark.sql("SELECT CAST(event_date AS STRING), count(*) FROM delta.`" + table + "` GROUP BY 1").collectAsList()) {
                perDay.put(r.getString(0), r.getLong(1));
            }
            assertEquals(Map.of("2026-03-01", 2L, "2026-03-02", 1L), perDay);
            List<Row> history = spark.sql("DESCRIBE HISTORY delta.`" + table + "`")
                    .selectExpr("version", "operationParameters['mode']", "operationParameters['predicate']").orderBy("version").collectAsList();
            assertEquals(3, history.size());
            assertEquals("Overwrite", history.get(2).getString(1));
            assertTrue(history.get(2).getString(2).contains("2026-03-01"), history.get(2).getString(2));
        } finally {
            spark.stop();
        }
    }

    private static String event(String id, String day) {
        return "{\"event_id\": \"" + id + "\", \"user_id\": \"u1\", \"type\": \"purchase\", \"ts\": \"" + day + "T10:00:00Z\", \"amount\": 9.5}";
    }
}
