package org.streamlab.pipelines.delta;

import io.delta.kernel.Snapshot;
import io.delta.kernel.Table;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.exceptions.TableNotFoundException;
import io.delta.kernel.internal.SnapshotImpl;
import io.delta.kernel.types.StructField;
import io.delta.kernel.types.StructType;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.streamlab.kernel.UserError;

/** What the sink, committer and reader share: one Kernel engine per JVM, table paths, schemas. */
final class DeltaTables {
    private static volatile Engine engine;

    private DeltaTables() {}

    /** Kernel's default engine (Hadoop file systems, Parquet), created on first use: building it loads Hadoop. */
    static Engine engine() {
        Engine e = engine;
        if (e == null) {
            synchronized (DeltaTables.class) {
                if (engine == null) {
                    engine = DefaultEngine.create(new Configuration());
                }
                e = engine;
            }
        }
        return e;
    }

    /** A table location as Kernel takes it: a URI with a scheme stays, a local path becomes absolute. */
    static String normalize(String tablePath) {
        if (tablePath == null || tablePath.isBlank()) {
            throw new IllegalArgumentException("a Delta table path is required");
        }
        String p = tablePath.strip();
        if (p.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:/.*")) {
            return p;
        }
        return Path.of(p).toAbsolutePath().normalize().toString();
    }

    /** The latest snapshot, or empty when no Delta table is at the path (no _delta_log). */
    static Optional<Snapshot> latest(String tablePath) {
        try {
            return Optional.of(Table.forPath(engine(), tablePath).getLatestSnapshot(engine()));
        } catch (TableNotFoundException e) {
            return Optional.empty();
        }
    }

    /** The version of the last transaction {@code appId} committed to the table (Delta's SetTransaction), if any. */
    static OptionalLong lastTransaction(Snapshot snapshot, String appId) {
        // Kernel's public Snapshot does not expose it yet; the transaction builder checks the same value.
        Optional<Long> v = ((SnapshotImpl) snapshot).getLatestTransactionVersion(engine(), appId);
        return v.isPresent() ? OptionalLong.of(v.get()) : OptionalLong.empty();
    }

    static StructType schemaOf(List<DeltaColumn> columns) {
        StructType s = new StructType();
        for (DeltaColumn c : columns) {
            s = s.add(c.name(), c.type().kernelType(), c.nullable());
        }
        return s;
    }

    /**
     * Refuses (UserError) a table whose columns differ from the sink's: same names (case-insensitive, as Delta), same
     * order and types; a nullable sink column needs a nullable table column.
     */
    static void checkSchema(String tablePath, StructType table, List<DeltaColumn> columns) {
        boolean same = table.length() == columns.size();
        for (int i = 0; same && i < columns.size(); i++) {
            StructField f = table.at(i);
            DeltaColumn c = columns.get(i);
            same = f.getName().equalsIgnoreCase(c.name()) && f.getDataType().equivalent(c.type().kernelType())
                    && (f.isNullable() || !c.nullable());
        }
        if (!same) {
            throw new UserError("The Delta table at " + tablePath + " has columns (" + describe(table)
                    + "), the sink writes (" + columns.stream().map(DeltaColumn::toString).collect(Collectors.joining(", ")) + ")",
                    "give the sink the table's columns in the same order, or write to a new table path");
        }
    }

    static String describe(StructType schema) {
        return schema.fields().stream()
                .map(f -> f.getName() + " " + f.getDataType().toString().toLowerCase(Locale.ROOT) + (f.isNullable() ? "" : " NOT NULL"))
                .collect(Collectors.joining(", "));
    }
}
