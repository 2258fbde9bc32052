package org.streamlab.feast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * What the integration tests share: the real feast executable (the course's .venv, else PATH; absent outside CI the
 * tests are skipped with a message, under CI=true they fail), and the driver data they write as Parquet with feast's
 * own Python (pyarrow).
 */
final class FeastTests {
    private FeastTests() {}

    /** The feast executable, or the test is skipped (failed under CI=true). */
    static Path feastOrSkip() {
        String configured = System.getProperty("feast.test.bin");
        if (configured != null && Files.isExecutable(Path.of(configured))) {
            return Path.of(configured);
        }
        var onPath = FeastBinary.onPath("feast");
        if (onPath.isPresent()) {
            return onPath.get();
        }
        String why = "feast is not installed (" + configured + " is missing and feast is not on PATH): "
                + ".venv/bin/pip install -r tools/requirements.txt";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(why);
        }
        Assumptions.abort(why);
        return null;
    }

    /** The Python feast runs on (the venv's). */
    static Path python(Path feast) {
        return feast.getParent().resolve("python");
    }

    /** One row of the test's driver statistics: the truth the tests compute expectations from. */
    record Stat(long driverId, String eventTs, long trips, double convRate) {}

    static final List<Stat> STATS = List.of(
            new Stat(1001, "2026-01-01T10:00:00", 10, 0.50),
            new Stat(1001, "2026-01-01T12:00:00", 13, 0.60),
            new Stat(1001, "2026-01-02T09:00:00", 20, 0.70),
            new Stat(1002, "2026-01-01T11:00:00", 5, 0.30),
            new Stat(1002, "2026-01-01T11:30:00", 6, 0.35));

    static final String DEFINITIONS = """
            from datetime import timedelta
            from feast import Entity, FeatureView, Field, FileSource
            from feast.data_format import ParquetFormat
            from feast.types import Float64, Int64
            from feast.value_type import ValueType

            driver = Entity(name="driver", join_keys=["driver_id"], value_type=ValueType.INT64)
            driver_stats_source = FileSource(name="driver_stats_source", path="data/driver_stats",
                                             file_format=ParquetFormat(), timestamp_field="event_ts")
            driver_stats = FeatureView(name="driver_stats", entities=[driver], ttl=timedelta(hours=20),
                                       schema=[Field(name="trips", dtype=Int64), Field(name="conv_rate", dtype=Float64)],
                                       source=driver_stats_source)
            """;

    /** Writes {@link #STATS} as a Parquet folder (two files, as Spark would) at {@code dir}. */
    static void writeStats(Path feast, Path dir) throws Exception {
        StringBuilder rows = new StringBuilder();
        for (Stat s : STATS) {
            rows.append("(%d, '%s', %d, %s),".formatted(s.driverId(), s.eventTs(), s.trips(), s.convRate()));
        }
        runPython(feast, """
                import os, sys, pandas as pd, pyarrow as pa, pyarrow.parquet as pq
                rows = [%s]
                df = pd.DataFrame(rows, columns=["driver_id", "event_ts", "trips", "conv_rate"])
                df["event_ts"] = pd.to_datetime(df["event_ts"], utc=True)
                out = sys.argv[1]
                os.makedirs(out, exist_ok=True)
                half = len(df) // 2
                pq.write_table(pa.Table.from_pandas(df.iloc[:half], preserve_index=False), os.path.join(out, "part-0.parquet"))
                pq.write_table(pa.Table.from_pandas(df.iloc[half:], preserve_index=False), os.path.join(out, "part-1.parquet"))
                """.formatted(rows), dir.toString());
    }

    static void runPython(Path feast, String script, String... args) throws Exception {
        Path file = Files.createTempFile("feast-test", ".py");
        try {
            Files.writeString(file, script);
            List<String> cmd = new java.util.ArrayList<>(List.of(python(feast).toString(), file.toString()));
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(new File("/dev/null")).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertEquals(true, p.waitFor(120, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), out);
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
