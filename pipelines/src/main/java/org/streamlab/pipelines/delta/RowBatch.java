package org.streamlab.pipelines.delta;

import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.CloseableIterator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/** Buffered rows (normalized values, column order) seen by Kernel's Parquet writer as one columnar batch. */
final class RowBatch implements ColumnarBatch {
    private final StructType schema;
    private final List<Object[]> rows;

    RowBatch(StructType schema, List<Object[]> rows) {
        this.schema = schema;
        this.rows = rows;
    }

    @Override
    public StructType getSchema() {
        return schema;
    }

    @Override
    public int getSize() {
        return rows.size();
    }

    @Override
    public ColumnVector getColumnVector(int ordinal) {
        DataType type = schema.at(ordinal).getDataType();
        return new ColumnVector() {
            @Override public DataType getDataType() { return type; }
            @Override public int getSize() { return rows.size(); }
            @Override public void close() {}
            @Override public boolean isNullAt(int row) { return rows.get(row)[ordinal] == null; }
            @Override public boolean getBoolean(int row) { return (Boolean) rows.get(row)[ordinal]; }
            @Override public int getInt(int row) { return (Integer) rows.get(row)[ordinal]; }
            @Override public long getLong(int row) { return (Long) rows.get(row)[ordinal]; }
            @Override public double getDouble(int row) { return (Double) rows.get(row)[ordinal]; }
            @Override public String getString(int row) { return (String) rows.get(row)[ordinal]; }
        };
    }

    /** One element as Kernel's closeable iterator. */
    static <T> CloseableIterator<T> single(T element) {
        Iterator<T> it = List.of(element).iterator();
        return new CloseableIterator<>() {
            @Override public boolean hasNext() { return it.hasNext(); }
            @Override public T next() {
                if (!it.hasNext()) {
                    throw new NoSuchElementException();
                }
                return it.next();
            }
            @Override public void close() {}
        };
    }
}
