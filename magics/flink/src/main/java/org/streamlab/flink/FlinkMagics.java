package org.streamlab.flink;

import java.util.Set;
import org.streamlab.kernel.magic.MagicSpec;
import org.streamlab.kernel.magic.MagicUsageException;
import org.streamlab.kernel.magic.ParsedArgs;

/**
 * The rows of the magics table for Flink. This class references no Flink class: the handlers hand over to
 * {@link SqlCell} and {@link JobsCommand} only when a magic runs.
 */
final class FlinkMagics {
    private FlinkMagics() {}

    static final String SQL_USAGE = """
            %%flinksql [--mode streaming|batch] [--max-rows N] [--timeout S] [--into VAR]
            <SQL statements, separated by ;>

            Runs Flink SQL on the kernel's Flink (embedded MiniCluster, or FLINK_REST_URL).
            DDL runs; INSERT INTO (and EXECUTE STATEMENT SET BEGIN ... END) submits a job and shows its id
            and state; a query's rows are shown. A streaming query's table updates in place while rows arrive,
            applying the changelog (+I, -U, +U, -D), until the query ends, --max-rows, --timeout or an interrupt
            (which cancels the job). Tables created here are shared by both modes and by Flink.tableEnv().

              --mode streaming|batch   execution mode (default: streaming)
              --max-rows N             stop a query once its result holds N rows (default: 1000)
              --timeout S              stop a query after S seconds, cancelling its job (default: none)
              --into VAR               also bind the last query's rows to the notebook variable VAR
                                       (a tech.tablesaw.api.Table)

            SET 'key' = 'value' applies to both modes for the session (SET alone lists the settings);
            RESET 'key' removes one, RESET removes all set in this session.
            INSERT jobs run in the background in streaming mode (see %flink jobs); in batch mode, or after
            SET 'table.dml-sync' = 'true', the cell waits for them to finish.
            ${kafka.bootstrap} in the SQL is replaced by the embedded Kafka's bootstrap servers
            (KAFKA_BOOTSTRAP_SERVERS, or what the Kafka module published when it started).

            Example:
              %%flinksql --timeout 30
              CREATE TABLE clicks (user_id STRING, ts TIMESTAMP(3),
                WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)
              WITH ('connector' = 'kafka', 'topic' = 'clicks', 'format' = 'json',
                    'properties.bootstrap.servers' = '${kafka.bootstrap}', 'scan.startup.mode' = 'earliest-offset');
              SELECT window_start, user_id, COUNT(*) AS n
              FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
              GROUP BY window_start, window_end, user_id
            """;

    static final String JOBS_USAGE = """
            %flink jobs              table of the cluster's jobs: id, name, state, start time, duration
            %flink cancel JOB_ID     cancel a running job (the id as shown by %flink jobs)

            Jobs come from %%flinksql (INSERT INTO, queries) and from Java cells using Flink.env() /
            Flink.tableEnv(). The cluster is the embedded MiniCluster, or FLINK_REST_URL when set.
            """;

    static MagicSpec sqlSpec(FlinkService service) {
        return MagicSpec.cell("flinksql", "run Flink SQL statements; live, updating results for streaming queries",
                SQL_USAGE,
                (context, args, body) -> {
                    ParsedArgs a = args.parse(Set.of(), Set.of("mode", "max-rows", "timeout", "into"));
                    a.atMostPositional(0);
                    SqlCell.Options options = SqlCell.Options.from(a);
                    return new SqlCell(service, context, options).run(body);
                });
    }

    static MagicSpec jobsSpec(FlinkService service) {
        return MagicSpec.line("flink", "list or cancel the Flink cluster's jobs", JOBS_USAGE,
                (context, args) -> {
                    ParsedArgs a = args.parse();
                    if (a.positional().isEmpty()) {
                        throw new MagicUsageException("missing a subcommand: jobs or cancel");
                    }
                    String sub = a.positional(0, "a subcommand");
                    return switch (sub) {
                        case "jobs", "list" -> {
                            a.atMostPositional(1);
                            yield JobsCommand.jobs(service);
                        }
                        case "cancel" -> {
                            String id = a.positional(1, "JOB_ID (see %flink jobs)");
                            a.atMostPositional(2);
                            yield JobsCommand.cancel(service, context, id);
                        }
                        default -> throw new MagicUsageException("unknown subcommand '" + sub + "': use jobs or cancel");
                    };
                });
    }
}
