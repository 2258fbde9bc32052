package org.streamlab.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * The daily batch job of Phase 2 / 05 (run by an Airflow task): one day's raw events (JSON lines) into a curated
 * Delta table partitioned by {@code event_date}, with Spark in a JVM of its own (local[1]).
 *
 * <pre>java -cp 'distribution/target/streamlab/lib/*' org.streamlab.spark.CurateEventsJob \
 *     --input RAW.jsonl --table DIR --date YYYY-MM-DD</pre>
 *
 * Curation: rows parsed with a fixed schema, {@code ts} as a timestamp, duplicates of an {@code event_id} dropped,
 * {@code event_date} set to the run's date. The write replaces that one partition ({@code replaceWhere}), so a
 * re-run of the same day leaves the same rows (a new table version, the same contents) and other days untouched.
 * The input is validated before Spark starts: a line that is not an event fails the job at once (exit status 2)
 * with its line number; a missing input exits with 3. Success prints one line: {@code curated N events ...}.
 */
public final class CurateEventsJob {
    static final List<String> REQUIRED = List.of("event_id", "user_id", "type", "ts");
    static final String SCHEMA = "event_id STRING, user_id STRING, type STRING, ts STRING, amount DOUBLE";

    private CurateEventsJob() {}

    public static void main(String[] args) throws Exception {
        String input = null;
        String table = null;
        String date = null;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--input" -> { input = value; i++; }
                case "--table" -> { table = value; i++; }
                case "--date" -> { date = value; i++; }
                default -> fail(1, "unknown argument " + args[i]);
            }
        }
        if (input == null || table == null || date == null) {
            fail(1, "usage: CurateEventsJob --input RAW.jsonl --table DIR --date YYYY-MM-DD");
        }
        try {
            LocalDate.parse(date);
        } catch (DateTimeParseException e) {
            fail(1, "--date must be YYYY-MM-DD, got " + date);
        }
        Path raw = Path.of(input).toAbsolutePath();
        if (!Files.isRegularFile(raw)) {
            fail(3, "no raw events file " + raw + " (has the day's data arrived?)");
        }
        String problem = validate(raw);
        if (problem != null) {
            fail(2, problem + " (fix or replace the raw file, then re-run the task)");
        }
        long rows = curate(raw, Path.of(table).toAbsolutePath(), date);
        System.out.println("curated " + rows + " events for " + date + " into " + Path.of(table).toAbsolutePath());
        System.out.flush();
        Runtime.getRuntime().halt(0); // Spark leaves non-daemon threads behind
    }

    private static void fail(int status, String message) {
        System.err.println("CurateEventsJob: " + message);
        System.err.flush();
        System.exit(status);
    }

    /** The first line that is not a JSON event with the required fields, as a message; null when all are. */
    static String validate(Path raw) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<String> lines = Files.readAllLines(raw, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            JsonNode node;
            try {
                node = json.readTree(line);
            } catch (IOException e) {
                return "line " + (i + 1) + " of " + raw + " is not JSON: " + abbreviate(line);
            }
            if (node == null || !node.isObject()) {
                return "line " + (i + 1) + " of " + raw + " is not a JSON object: " + abbreviate(line);
            }
            for (String field : REQUIRED) {
                if (!node.hasNonNull(field)) {
                    return "line " + (i + 1) + " of " + raw + " has no " + field + ": " + abbreviate(line);
                }
            }
        }
        return null;
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    static long curate(Path raw, Path table, String date) {
        Logs.quietSpark();
        SparkSession spark = SparkSession.builder()
                .master("local[1]")
                .appName("CurateEventsJob " + date)
                .config("spark.ui.enabled", "false")
                .config("spark.ui.showConsoleProgress", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.sql.session.timeZone", "UTC")
                .config("spark.sql.shuffle.partitions", "1")
                .config("spark.default.parallelism", "1")
                .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
                .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
                .config("spark.sql.catalogImplementation", "in-memory")
                .config("spark.sql.warehouse.dir", table.getParent().resolve(".spark-warehouse").toUri().toString())
                .getOrCreate();
        try {
            Dataset<Row> events = spark.read().schema(SCHEMA).json(raw.toUri().toString())
                    .dropDuplicates("event_id")
                    .withColumn("ts", functions.to_timestamp(functions.col("ts")))
                    .withColumn("event_date", functions.lit(date).cast("date"))
                    .select("event_id", "user_id", "type", "ts", "amount", "event_date")
                    .cache();
            long rows = events.count();
            events.write().format("delta").mode("overwrite")
                    .option("replaceWhere", "event_date = DATE'" + date + "'")
                    .partitionBy("event_date")
                    .save(table.toUri().toString());
            return rows;
        } finally {
            spark.stop();
        }
    }
}
