package org.streamlab.pipelines.delta;

import io.delta.kernel.DataWriteContext;
import io.delta.kernel.Operation;
import io.delta.kernel.Table;
import io.delta.kernel.Transaction;
import io.delta.kernel.TransactionCommitResult;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.Row;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.exceptions.ConcurrentTransactionException;
import io.delta.kernel.exceptions.TableNotFoundException;
import io.delta.kernel.hook.PostCommitHook;
import io.delta.kernel.utils.CloseableIterable;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.DataFileStatus;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.flink.api.connector.sink2.Committer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits the rows of each checkpoint in ONE Delta transaction that carries Delta's idempotent transaction id
 * (SetTransaction: the sink's application id, version = checkpoint id). Delta refuses a second transaction of the
 * same application with a version not above its last one, so a commit repeated after a failure or restore is
 * skipped, never doubled. Creates the table, with the sink's schema, in the first commit if it does not exist.
 */
public final class DeltaCommitter implements Committer<DeltaCommittable> {
    private static final Logger LOG = LoggerFactory.getLogger(DeltaCommitter.class);
    static final String ENGINE_INFO = "StreamLab DeltaSink (Flink, Delta Kernel)";

    /** What a commit did: wrote a new table version, or found the transaction already committed. */
    public enum Outcome { COMMITTED, ALREADY_COMMITTED, NOTHING_TO_COMMIT }

    private final String tablePath;
    private final List<DeltaColumn> columns;
    private final String applicationId;

    /** A committer for the sink's table (tests call it directly to repeat a commit). */
    public DeltaCommitter(String tablePath, List<DeltaColumn> columns, String applicationId) {
        this.tablePath = DeltaTables.normalize(tablePath);
        this.columns = List.copyOf(columns);
        this.applicationId = applicationId;
    }

    @Override
    public void commit(Collection<CommitRequest<DeltaCommittable>> requests) throws IOException {
        // one transaction per version (checkpoint), oldest first: a later checkpoint's id must not skip an earlier one
        TreeMap<Long, List<CommitRequest<DeltaCommittable>>> byVersion = new TreeMap<>();
        for (CommitRequest<DeltaCommittable> r : requests) {
            long v = r.getCommittable().version();
            if (v < 0) {
                throw new IllegalStateException("a Delta committable without a checkpoint id reached the committer");
            }
            byVersion.computeIfAbsent(v, k -> new ArrayList<>()).add(r);
        }
        for (Map.Entry<Long, List<CommitRequest<DeltaCommittable>>> e : byVersion.entrySet()) {
            List<Object[]> rows = new ArrayList<>();
            e.getValue().forEach(r -> rows.addAll(r.getCommittable().rows()));
            Outcome outcome;
            try {
                outcome = commit(e.getKey(), rows);
            } catch (RuntimeException ex) {
                // the task fails and restores from its checkpoint: the same version is retried, idempotently
                throw new IOException("Delta commit of " + describeVersion(e.getKey()) + " (" + rows.size() + " rows) to "
                        + tablePath + " failed: " + ex.getMessage(), ex);
            }
            if (outcome == Outcome.ALREADY_COMMITTED) {
                e.getValue().forEach(CommitRequest::signalAlreadyCommitted);
            }
        }
    }

    /** Commits the rows under {@code version} unless this application already committed it (or a later one). */
    public Outcome commit(long version, List<Object[]> rows) throws IOException {
        if (rows.isEmpty()) {
            return Outcome.NOTHING_TO_COMMIT;
        }
        long start = System.nanoTime();
        Engine engine = DeltaTables.engine();
        Table table = Table.forPath(engine, tablePath);
        Transaction txn;
        try {
            // one snapshot load per commit: the builder reads the log (and checks the transaction id) once
            try {
                txn = table.createTransactionBuilder(engine, ENGINE_INFO, Operation.STREAMING_UPDATE)
                        .withTransactionId(engine, applicationId, version).build(engine);
                DeltaTables.checkSchema(tablePath, txn.getSchema(engine), columns);
            } catch (TableNotFoundException missing) {
                txn = table.createTransactionBuilder(engine, ENGINE_INFO, Operation.CREATE_TABLE)
                        .withSchema(engine, DeltaTables.schemaOf(columns))
                        .withTransactionId(engine, applicationId, version).build(engine);
            }
        } catch (ConcurrentTransactionException repeat) {
            LOG.info("Delta table {}: {} of application {} is already committed, skipped", tablePath, describeVersion(version), applicationId);
            return Outcome.ALREADY_COMMITTED;
        }
        Row state = txn.getTransactionState(engine);
        CloseableIterator<FilteredColumnarBatch> logical =
                RowBatch.single(new FilteredColumnarBatch(new RowBatch(txn.getSchema(engine), rows), Optional.empty()));
        CloseableIterator<FilteredColumnarBatch> physical = Transaction.transformLogicalData(engine, state, logical, Map.of());
        DataWriteContext writeContext = Transaction.getWriteContext(engine, state, Map.of());
        CloseableIterator<DataFileStatus> files = engine.getParquetHandler()
                .writeParquetFiles(writeContext.getTargetDirectory(), physical, writeContext.getStatisticsColumns());
        CloseableIterable<Row> actions = CloseableIterable.inMemoryIterable(
                Transaction.generateAppendActions(engine, state, files, writeContext));
        TransactionCommitResult result;
        try {
            result = txn.commit(engine, actions);
        } catch (ConcurrentTransactionException repeat) {
            // another attempt of the same checkpoint won the race; the Parquet files written here stay unreferenced
            return Outcome.ALREADY_COMMITTED;
        }
        for (PostCommitHook hook : result.getPostCommitHooks()) {
            try {
                hook.threadSafeInvoke(engine);   // log checkpoints every N versions keep snapshot loading fast
            } catch (IOException | RuntimeException e) {
                LOG.warn("Delta table {}: post-commit {} failed (the commit stands): {}", tablePath, hook.getType(), e.toString());
            }
        }
        // INFO: one line per checkpoint, the commit's cost (it runs on the task thread, between records)
        LOG.info("Delta table {}: version {} holds {} rows of {}, committed in {} ms", tablePath, result.getVersion(), rows.size(),
                describeVersion(version), (System.nanoTime() - start) / 1_000_000);
        return Outcome.COMMITTED;
    }

    private static String describeVersion(long version) {
        return version == DeltaCommittable.END_OF_INPUT ? "the end of input" : "checkpoint " + version;
    }

    @Override
    public void close() {}
}
