package org.streamlab.spark;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.streamlab.kernel.spi.ExtensionContext;

/** Renderers for Spark values; registered when Spark first starts, so kernel start loads no Spark class. */
final class SparkRenderers {
    private SparkRenderers() {}

    @SuppressWarnings({"rawtypes", "unchecked"})
    static void register(ExtensionContext context) {
        context.addRenderer(Dataset.class, (Dataset ds) -> {
            Dataset<Row> df = ds.toDF();
            return RowTables.firstRows(df, SparkMagics.DEFAULT_MAX_ROWS).toHtml(null).toDisplayData();
        });
    }
}
