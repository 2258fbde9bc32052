package org.streamlab.pipelines.delta;

import io.delta.kernel.Snapshot;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessageTypeInfo;
import org.apache.flink.streaming.api.connector.sink2.CommittableWithLineage;
import org.apache.flink.streaming.api.connector.sink2.SupportsPreCommitTopology;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.streamlab.kernel.UserError;

/**
 * Exactly-once Flink sink into a Delta table, through Delta Kernel (no Spark: it runs on a remote Flink cluster too).
 * <pre>{@code
 * stream.sinkTo(DeltaSink.<Scored>builder()
 *         .tablePath(workspace.resolve("delta/scored"))
 *         .columns(DeltaColumn.of("event_id", DeltaType.STRING), DeltaColumn.of("score", DeltaType.DOUBLE),
 *                  DeltaColumn.of("ts", DeltaType.TIMESTAMP))
 *         .rowMapper(s -> new Object[] {s.eventId(), s.score(), s.time()})
 *         .applicationId("sentiment-history")
 *         .build()).uid("delta-history");
 * }</pre>
 * The writers buffer rows until a checkpoint; at pre-commit they hand them to the committer, which commits all rows
 * of a checkpoint (from every subtask) in ONE Delta transaction with Delta's idempotent transaction id
 * (SetTransaction: appId = the application id, version = the checkpoint id). A commit repeated after a failure or a
 * restore is skipped, never doubled. With a bounded input the rows after the last checkpoint are committed at the end
 * of input (under the next checkpoint id, as Flink 2 numbers them). Needs checkpointing for an unbounded input (nothing
 * is committed without checkpoints). Restore from the job's latest checkpoint (what Flink does after a failure, and
 * what a retained checkpoint is): from an older savepoint, rows committed after it would be skipped as repeats.
 * <p>
 * A job that is not restored from a checkpoint must use an application id the table has not seen: Delta would skip
 * its commits as repeats of the old ones, so the writer refuses to start instead.
 */
public final class DeltaSink<T> implements Sink<T>, SupportsCommitter<DeltaCommittable>,
        SupportsPreCommitTopology<DeltaCommittable, DeltaCommittable> {
    private static final long serialVersionUID = 1L;

    private final String tablePath;
    private final List<DeltaColumn> columns;
    private final DeltaRowMapper<T> rowMapper;
    private final String applicationId;

    private DeltaSink(Builder<T> b) {
        this.tablePath = b.tablePath;
        this.columns = b.columns;
        this.rowMapper = b.rowMapper;
        this.applicationId = b.applicationId;
    }

    public static <T> Builder<T> builder() {
        return new Builder<>();
    }

    public String tablePath() { return tablePath; }
    public List<DeltaColumn> columns() { return columns; }
    public String applicationId() { return applicationId; }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
        if (context.getRestoredCheckpointId().isEmpty() && context.getTaskInfo().getIndexOfThisSubtask() == 0) {
            refuseFreshStartOverOldCommits();
        }
        return new DeltaSinkWriter<>(columns, rowMapper);
    }

    /** A fresh (not restored) job whose application id already committed would have every commit skipped. */
    private void refuseFreshStartOverOldCommits() {
        Optional<Snapshot> snapshot = DeltaTables.latest(tablePath);
        if (snapshot.isEmpty()) {
            return;
        }
        DeltaTables.checkSchema(tablePath, snapshot.get().getSchema(), columns);
        OptionalLong last = DeltaTables.lastTransaction(snapshot.get(), applicationId);
        if (last.isPresent()) {
            throw new UserError("The Delta table at " + tablePath + " already holds the commits of application '" + applicationId
                    + "' (up to " + (last.getAsLong() == DeltaCommittable.END_OF_INPUT ? "the end of a bounded input" : "checkpoint " + last.getAsLong())
                    + "), and this job does not restore that application's checkpoint: Delta would skip its commits as repeats",
                    "restore the job from its retained checkpoint, or give the sink a new applicationId (e.g. '" + applicationId + "-2')");
        }
    }

    @Override
    public Committer<DeltaCommittable> createCommitter(CommitterInitContext context) {
        return new DeltaCommitter(tablePath, columns, applicationId);
    }

    @Override
    public SimpleVersionedSerializer<DeltaCommittable> getCommittableSerializer() {
        return new DeltaCommittableSerializer(columns);
    }

    @Override
    public SimpleVersionedSerializer<DeltaCommittable> getWriteResultSerializer() {
        return new DeltaCommittableSerializer(columns);
    }

    /**
     * Between writers and committer: each committable gets its checkpoint id as Delta transaction version, and all go to
     * the first committer subtask, so a checkpoint is one transaction whatever the sink's parallelism.
     */
    @Override
    public DataStream<CommittableMessage<DeltaCommittable>> addPreCommitTopology(DataStream<CommittableMessage<DeltaCommittable>> committables) {
        List<DeltaColumn> cols = columns;
        return committables
                .map(new AssignCheckpointVersion())
                .returns(CommittableMessageTypeInfo.of(() -> new DeltaCommittableSerializer(cols)))
                .name("Delta: checkpoint id as transaction version")   // stateless: no uid needed, none imposed on the sink
                .setParallelism(committables.getParallelism())
                .global();
    }

    private static final class AssignCheckpointVersion
            implements MapFunction<CommittableMessage<DeltaCommittable>, CommittableMessage<DeltaCommittable>> {
        private static final long serialVersionUID = 1L;

        @Override
        public CommittableMessage<DeltaCommittable> map(CommittableMessage<DeltaCommittable> message) {
            if (message instanceof CommittableWithLineage<DeltaCommittable> c) {
                long id = c.getCheckpointIdOrEOI();   // Flink 2: the next checkpoint's id at the end of input
                return c.map(x -> x.withVersion(id));
            }
            return message;
        }
    }

    /** Builder: tablePath, columns, rowMapper and applicationId are required. */
    public static final class Builder<T> {
        private String tablePath;
        private List<DeltaColumn> columns;
        private DeltaRowMapper<T> rowMapper;
        private String applicationId;

        private Builder() {}

        /** The table's location: a local path, or a URI Hadoop knows (file:/..., s3a://... with its jars). */
        public Builder<T> tablePath(String tablePath) {
            this.tablePath = DeltaTables.normalize(tablePath);
            return this;
        }

        public Builder<T> tablePath(Path tablePath) {
            return tablePath(tablePath.toString());
        }

        public Builder<T> columns(DeltaColumn... columns) {
            this.columns = List.of(columns);
            return this;
        }

        public Builder<T> columns(List<DeltaColumn> columns) {
            this.columns = List.copyOf(columns);
            return this;
        }

        public Builder<T> rowMapper(DeltaRowMapper<T> rowMapper) {
            this.rowMapper = rowMapper;
            return this;
        }

        /** Names the writing application in Delta's transaction ids: stable across restores of the same job. */
        public Builder<T> applicationId(String applicationId) {
            this.applicationId = applicationId;
            return this;
        }

        /** Checks the settings, and the columns against the table if it exists already (a readable UserError if not). */
        public DeltaSink<T> build() {
            if (tablePath == null) {
                throw new IllegalArgumentException("DeltaSink needs .tablePath(...): where the Delta table is (or will be)");
            }
            if (columns == null || columns.isEmpty()) {
                throw new IllegalArgumentException("DeltaSink needs .columns(...): the table's columns, in order");
            }
            Set<String> names = new HashSet<>();
            for (DeltaColumn c : columns) {
                if (!names.add(c.name().toLowerCase(Locale.ROOT))) {
                    throw new IllegalArgumentException("column '" + c.name() + "' appears twice (Delta names ignore case): " + columns);
                }
            }
            Objects.requireNonNull(rowMapper, "DeltaSink needs .rowMapper(...): how an element becomes a row");
            if (applicationId == null || applicationId.isBlank()) {
                throw new IllegalArgumentException("DeltaSink needs .applicationId(...): a stable name of the writing job "
                        + "(Delta's transaction ids make its commits idempotent)");
            }
            DeltaTables.latest(tablePath).ifPresent(s -> DeltaTables.checkSchema(tablePath, s.getSchema(), columns));
            return new DeltaSink<>(this);
        }
    }

    @Override
    public String toString() {
        return "DeltaSink[" + tablePath + ", " + Arrays.toString(columns.toArray()) + ", app " + applicationId + "]";
    }
}
