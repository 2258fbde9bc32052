package org.streamlab.pipelines.delta;

import io.delta.kernel.Scan;
import io.delta.kernel.Snapshot;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.Row;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.internal.InternalScanFileUtils;
import io.delta.kernel.internal.data.ScanStateRow;
import io.delta.kernel.types.BinaryType;
import io.delta.kernel.types.BooleanType;
import io.delta.kernel.types.ByteType;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.DecimalType;
import io.delta.kernel.types.DoubleType;
import io.delta.kernel.types.FloatType;
import io.delta.kernel.types.IntegerType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.ShortType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructField;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampNTZType;
import io.delta.kernel.types.TimestampType;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.FileStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.streamlab.kernel.UserError;

/**
 * Reads a (small) Delta table's current snapshot through Delta Kernel, without Spark: for lookups in Flink operators
 * (e.g. loaded in {@code open()}). Tables written by Spark (deletion vectors, column mapping) and by {@link DeltaSink}.
 * Values: String, Long, Integer, Double, Boolean, Instant (timestamp), and for other Spark types Short, Byte, Float,
 * BigDecimal, LocalDate, LocalDateTime (timestamp_ntz), byte[].
 */
public final class DeltaTableReader {
    private DeltaTableReader() {}

    /** Every row of the current version: column name to value, in the table's column order. */
    public static List<Map<String, Object>> readAll(String tablePath) {
        String path = DeltaTables.normalize(tablePath);
        Snapshot snapshot = snapshot(path);
        Engine engine = DeltaTables.engine();
        StructType schema = snapshot.getSchema();
        for (StructField f : schema.fields()) {
            if (!readable(f.getDataType())) {
                throw new UserError("Column '" + f.getName() + "' of the Delta table at " + path + " is " + f.getDataType()
                        + ", which DeltaTableReader does not read", "read it with Spark, or keep lookup tables to flat columns");
            }
        }
        Scan scan = snapshot.getScanBuilder().build();
        Row scanState = scan.getScanState(engine);
        StructType physicalSchema = ScanStateRow.getPhysicalDataReadSchema(engine, scanState);
        List<Map<String, Object>> out = new ArrayList<>();
        try (CloseableIterator<FilteredColumnarBatch> scanFiles = scan.getScanFiles(engine)) {
            while (scanFiles.hasNext()) {
                try (CloseableIterator<Row> files = scanFiles.next().getRows()) {
                    while (files.hasNext()) {
                        Row scanFile = files.next();
                        FileStatus file = InternalScanFileUtils.getAddFileStatus(scanFile);
                        CloseableIterator<ColumnarBatch> physical = engine.getParquetHandler()
                                .readParquetFiles(RowBatch.single(file), physicalSchema, Optional.empty());
                        // applies deletion vectors (as a selection) and column mapping, adds partition values
                        try (CloseableIterator<FilteredColumnarBatch> data = Scan.transformPhysicalData(engine, scanState, scanFile, physical)) {
                            while (data.hasNext()) {
                                try (CloseableIterator<Row> rows = data.next().getRows()) {
                                    while (rows.hasNext()) {
                                        out.add(toMap(rows.next(), schema));
                                    }
                                }
                            }
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading the Delta table at " + path + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** The table's current version (0 after CREATE TABLE, +1 per commit). */
    public static long version(String tablePath) {
        return snapshot(DeltaTables.normalize(tablePath)).getVersion();
    }

    /** The last Delta transaction version {@code applicationId} committed (a DeltaSink's checkpoint id), if any. */
    public static java.util.OptionalLong lastTransaction(String tablePath, String applicationId) {
        String path = DeltaTables.normalize(tablePath);
        return DeltaTables.lastTransaction(snapshot(path), applicationId);
    }

    private static Snapshot snapshot(String path) {
        return DeltaTables.latest(path).orElseThrow(() -> new UserError("No Delta table at " + path,
                "create it first, e.g. %%sparksql CREATE TABLE name (...) USING delta LOCATION '" + path
                        + "' (or a table of Spark's warehouse: workspace/spark/warehouse/<name>), or write it with a DeltaSink"));
    }

    private static boolean readable(DataType t) {
        return t instanceof StringType || t instanceof LongType || t instanceof IntegerType || t instanceof DoubleType
                || t instanceof BooleanType || t instanceof TimestampType || t instanceof TimestampNTZType || t instanceof DateType
                || t instanceof ShortType || t instanceof ByteType || t instanceof FloatType || t instanceof DecimalType
                || t instanceof BinaryType;
    }

    private static Map<String, Object> toMap(Row row, StructType schema) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < schema.length(); i++) {
            StructField f = schema.at(i);
            m.put(f.getName(), row.isNullAt(i) ? null : value(row, i, f.getDataType()));
        }
        return m;
    }

    private static Object value(Row row, int i, DataType t) {
        if (t instanceof StringType) return row.getString(i);
        if (t instanceof LongType) return row.getLong(i);
        if (t instanceof IntegerType) return row.getInt(i);
        if (t instanceof DoubleType) return row.getDouble(i);
        if (t instanceof BooleanType) return row.getBoolean(i);
        if (t instanceof TimestampType) return micros(row.getLong(i));
        if (t instanceof TimestampNTZType) return LocalDateTime.ofInstant(micros(row.getLong(i)), ZoneOffset.UTC);
        if (t instanceof DateType) return LocalDate.ofEpochDay(row.getInt(i));
        if (t instanceof ShortType) return row.getShort(i);
        if (t instanceof ByteType) return row.getByte(i);
        if (t instanceof FloatType) return row.getFloat(i);
        if (t instanceof DecimalType) return row.getDecimal(i);
        if (t instanceof BinaryType) return row.getBinary(i);
        throw new IllegalStateException("unreadable type " + t);
    }

    private static Instant micros(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
    }
}
