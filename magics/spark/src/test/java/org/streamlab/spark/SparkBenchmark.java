package org.streamlab.spark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.streamlab.kernel.KernelConfig;

/**
 * Cold-start benchmark of the embedded Spark + Delta: SparkSession start and the first Delta write, in a fresh
 * JVM and a fresh workspace (target: start + first write <= 5 s), then warm figures and a restart that
 * restores the catalog. Prints the figures; asserts nothing about time.
 *
 * <p>Run (from the repository root, after {@code mvn -q -o -pl magics/spark install -DskipTests}):
 * <pre>
 * cd magics/spark && mvn -q -o dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.cp \
 *   && mvn -q -o test-compile \
 *   && java -Xmx2g -XX:+UseSerialGC --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED \
 *        --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED \
 *        --add-opens=java.base/java.lang.invoke=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED \
 *        -cp target/test-classes:target/classes:$(cat target/bench.cp) org.streamlab.spark.SparkBenchmark
 * </pre>
 * Extra Spark settings: {@code -DSPARK_CONF="k=v;k=v"}. JVM variants measured (see the report in git log):
 * add {@code -XX:TieredStopAtLevel=1} (C1 only), and/or an AppCDS archive. AppCDS needs jars only on the class
 * path (no class folders):
 * <pre>
 * mkdir -p target/benchjar && (cd target/classes && jar cf ../benchjar/main.jar .)  *   && (cd target/test-classes && jar cf ../benchjar/test.jar .)
 * CP="target/benchjar/test.jar:target/benchjar/main.jar:$(cat target/bench.cp)"
 * java ...same flags... -XX:ArchiveClassesAtExit=target/benchjar/spark.jsa -cp "$CP" org.streamlab.spark.SparkBenchmark
 * java ...same flags... -XX:SharedArchiveFile=target/benchjar/spark.jsa -XX:TieredStopAtLevel=1 -cp "$CP" org.streamlab.spark.SparkBenchmark
 * </pre>
 */
public final class SparkBenchmark {
    private SparkBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path workspace = Files.createTempDirectory("streamlab-spark-bench");
        KernelConfig config = KernelConfig.load(Map.of(KernelConfig.WORKSPACE, workspace.toString()), workspace);

        long[] t0 = now();
        SparkService service = new SparkService(config);
        service.ensureStarted();
        long[] t1 = now();
        SparkSession spark = service.session();
        spark.sql("CREATE TABLE bench (id BIGINT, name STRING) USING DELTA");
        long[] t2 = now();
        spark.sql("INSERT INTO bench SELECT id, concat('n', id) FROM range(0, 1000)");
        long[] t3 = now();
        long count = spark.sql("SELECT count(*) FROM bench").first().getLong(0);
        long[] t4 = now();
        spark.sql("INSERT INTO bench SELECT id, concat('m', id) FROM range(1000, 2000)");
        long[] t5 = now();
        spark.sql("UPDATE bench SET name = 'x' WHERE id < 10");
        long[] t6 = now();
        service.stop();
        long[] t7 = now();
        service.ensureStarted();
        long restoredCount = service.session().sql("SELECT count(*) FROM bench").first().getLong(0);
        long[] t8 = now();
        service.stop();

        if (count != 1000 || restoredCount != 2000) {
            throw new IllegalStateException("wrong counts: " + count + ", " + restoredCount);
        }
        double load = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        System.out.println("StreamLab Spark benchmark (Spark " + org.apache.spark.package$.MODULE$.SPARK_VERSION()
                + ", " + Runtime.getRuntime().availableProcessors() + " cores, load average " + load + ", extra SPARK_CONF "
                + System.getProperty("SPARK_CONF", "-") + ", JVM flags " + java.lang.management.ManagementFactory.getRuntimeMXBean()
                .getInputArguments().stream().filter(a -> a.startsWith("-XX:") || a.startsWith("-Xmx")).toList() + ")");
        print("cold SparkSession start (Delta, catalog restore)", t0, t1);
        print("first Delta write: CREATE TABLE", t1, t2);
        print("first Delta write: INSERT 1000 rows", t2, t3);
        print("cold start + first Delta write (target <= 5 s)", t0, t3);
        print("first query (count)", t3, t4);
        print("second INSERT 1000 rows (warm)", t4, t5);
        print("UPDATE 10 rows (warm)", t5, t6);
        print("stop", t6, t7);
        print("restart + restore catalog + count", t7, t8);
    }

    /** Wall-clock and process CPU time (all threads), in ns: CPU time shows the work even on a loaded machine. */
    private static long[] now() {
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long cpu = os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : -1;
        return new long[] {System.nanoTime(), cpu};
    }

    private static void print(String what, long[] from, long[] to) {
        System.out.println(String.format(Locale.ROOT, "  %-52s %7.2f s wall %7.2f s cpu", what,
                (to[0] - from[0]) / 1e9, (to[1] - from[1]) / 1e9));
    }
}
