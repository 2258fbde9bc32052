package org.streamlab.spark;

import java.util.Optional;
import java.util.Set;
import javax.lang.model.SourceVersion;
import org.streamlab.kernel.magic.MagicSpec;
import org.streamlab.kernel.magic.MagicUsageException;
import org.streamlab.kernel.magic.ParsedArgs;

/**
 * The rows of the magics table for Spark: {@code %%sparksql} and {@code %delta}. Argument checking only; the
 * work is in {@link SparkCommands}, so building these specs loads no Spark class.
 */
final class SparkMagics {
    static final int DEFAULT_MAX_ROWS = 50;

    static final String SPARKSQL_USAGE = """
            %%sparksql [--max-rows N] [--into VAR]
            STATEMENT; STATEMENT; ...

            Runs Spark SQL, with Delta Lake, in the kernel's Spark (started on first use).
            Statements are separated by ';' (quotes, `back-quotes` and -- or /* */ comments respected).
            They run in order: DDL and DML take effect, and the result of the last query (or of the last
            statement that returns rows: SHOW TABLES, DESCRIBE, MERGE, ...) is shown: its first N rows and
            its row count. Long work shows live progress (jobs, stages, tasks); interrupting the cell
            cancels its Spark jobs.
              --max-rows N   rows to show (default 50)
              --into VAR     also bind the whole result as a Tablesaw Table in the Java variable VAR

            Tables made with CREATE TABLE ... USING DELTA live in workspace/spark/warehouse and are
            registered again when the kernel restarts. A Delta folder is read as delta.`/path/to/folder`;
            versions as SELECT * FROM t VERSION AS OF 3 (see %delta).
            Java cells: org.streamlab.spark.Spark.session() is the same SparkSession; a Dataset returned by
            a cell is shown as a table.
            Configuration: SPARK_MASTER=spark://HOST:PORT runs on that standalone cluster instead of the
            embedded local[*]; SPARK_CONF=key=value;key=value adds Spark settings (%services restart spark).

            Example:
              %%sparksql --into top
              CREATE TABLE IF NOT EXISTS orders (id INT, amount DOUBLE) USING DELTA;
              INSERT INTO orders VALUES (1, 9.5), (2, 20.0);
              SELECT * FROM orders ORDER BY amount DESC
            """;

    static final String DELTA_USAGE = """
            %delta history TABLE_OR_PATH [--max-rows N]
            %delta timetravel TABLE_OR_PATH (--version N | --timestamp TS) [--max-rows N] [--into VAR]
            %delta diff TABLE_OR_PATH V1 V2 [--max-rows N]

            Versions of a Delta Lake table.
              history      one row per commit, newest first: version, timestamp, operation, its parameters
                           and metrics
              timetravel   the table as it was at a version (--version 3) or at a time
                           (--timestamp "2025-01-31 12:00:00", the latest version committed at or before it);
                           give exactly one of --version and --timestamp
              diff         the rows added and removed from version V1 to version V2 (an updated row shows
                           as removed with its old values and added with its new ones)
              --max-rows N   rows to show (default 50)
              --into VAR     bind the whole result as a Tablesaw Table in the Java variable VAR

            TABLE_OR_PATH is a table name (orders, sales.orders) or a Delta folder: a path with a '/'
            (./data/orders, /tmp/orders, file:/tmp/orders).

            Examples:
              %delta history orders
              %delta timetravel orders --version 0
              %delta diff orders 1 2
            """;

    private SparkMagics() {}

    static MagicSpec sparksql(SparkService service) {
        return MagicSpec.cell("sparksql", "run Spark SQL (Delta Lake) statements; show the last result",
                SPARKSQL_USAGE,
                (context, args, body) -> {
                    ParsedArgs a = args.parse(Set.of(), Set.of("max-rows", "into"));
                    a.atMostPositional(0);
                    int maxRows = a.positiveInt("max-rows", DEFAULT_MAX_ROWS, 1);
                    String into = variable(a);
                    return SparkCommands.sparksql(service, context, body == null ? "" : body, maxRows, into);
                });
    }

    static MagicSpec delta(SparkService service) {
        return MagicSpec.line("delta", "Delta Lake table history, time travel and diff between versions",
                DELTA_USAGE,
                (context, args) -> {
                    if (args.isEmpty()) {
                        throw new MagicUsageException("missing a subcommand: history, timetravel or diff");
                    }
                    String sub = args.tokens().get(0);
                    switch (sub) {
                        case "history" -> {
                            ParsedArgs a = args.parse(Set.of(), Set.of("max-rows"));
                            String target = a.positional(1, "TABLE_OR_PATH");
                            a.atMostPositional(2);
                            return SparkCommands.history(service, context, target,
                                    a.positiveInt("max-rows", DEFAULT_MAX_ROWS, 1));
                        }
                        case "timetravel" -> {
                            ParsedArgs a = args.parse(Set.of(), Set.of("version", "timestamp", "max-rows", "into"));
                            String target = a.positional(1, "TABLE_OR_PATH");
                            a.atMostPositional(2);
                            Optional<String> version = a.option("version");
                            Optional<String> timestamp = a.option("timestamp");
                            if (version.isPresent() && timestamp.isPresent()) {
                                throw new MagicUsageException("--version and --timestamp exclude each other: give one");
                            }
                            if (version.isEmpty() && timestamp.isEmpty()) {
                                throw new MagicUsageException("missing --version N or --timestamp TS");
                            }
                            Long v = version.isPresent() ? versionNumber("--version", version.get()) : null;
                            if (timestamp.isPresent() && timestamp.get().isBlank()) {
                                throw new MagicUsageException("--timestamp needs a date-time, e.g. \"2025-01-31 12:00:00\"");
                            }
                            return SparkCommands.timetravel(service, context, target, v, timestamp.orElse(null),
                                    a.positiveInt("max-rows", DEFAULT_MAX_ROWS, 1), variable(a));
                        }
                        case "diff" -> {
                            ParsedArgs a = args.parse(Set.of(), Set.of("max-rows"));
                            String target = a.positional(1, "TABLE_OR_PATH");
                            long v1 = versionNumber("V1", a.positional(2, "V1 (the older version)"));
                            long v2 = versionNumber("V2", a.positional(3, "V2 (the newer version)"));
                            a.atMostPositional(4);
                            return SparkCommands.diff(service, context, target, v1, v2,
                                    a.positiveInt("max-rows", DEFAULT_MAX_ROWS, 1));
                        }
                        default -> throw new MagicUsageException("unknown subcommand '" + sub + "': use history, timetravel or diff");
                    }
                });
    }

    private static long versionNumber(String what, String text) {
        try {
            long v = Long.parseLong(text.strip());
            if (v >= 0) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new MagicUsageException(what + " must be a table version (0, 1, 2, ...), got: " + text);
    }

    private static String variable(ParsedArgs a) {
        Optional<String> into = a.option("into");
        if (into.isEmpty()) {
            return null;
        }
        String v = into.get();
        if (!SourceVersion.isIdentifier(v) || SourceVersion.isKeyword(v)) {
            throw new MagicUsageException("--into needs a Java variable name, got: " + v);
        }
        return v;
    }
}
