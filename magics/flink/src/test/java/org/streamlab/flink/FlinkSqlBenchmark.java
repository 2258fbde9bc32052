package org.streamlab.flink;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.streamlab.kernel.testkit.CellOutcome;
import org.streamlab.kernel.testkit.KernelTestKit;

/**
 * Benchmark: time to the first %%flinksql result from a cold MiniCluster (service not started, kernel up),
 * then the time of a second query, each run in a fresh JVM; prints every run and the medians.
 *
 * Run from the repository root:
 * <pre>
 * mvn -q -o -pl magics/flink test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * java -cp magics/flink/target/test-classes:magics/flink/target/classes:$(cat magics/flink/target/cp.txt) \
 *      org.streamlab.flink.FlinkSqlBenchmark 5
 * </pre>
 * The argument is the number of fresh JVMs (default 5). Children run with -Xmx1g -XX:+UseSerialGC plus
 * -Dbench.jvmFlags="..." (e.g. -Dbench.jvmFlags=-XX:TieredStopAtLevel=1 to compare a C1-only JVM).
 * Besides wall time it prints the CPU seconds the process spent, which stay comparable on a loaded machine.
 *
 * With an AppCDS archive (the class path must then be jars only, as in the distribution):
 * <pre>
 * mkdir -p /tmp/fbjars && (cd magics/flink/target/classes && jar cf /tmp/fbjars/flink-main.jar .)  *   && (cd magics/flink/target/test-classes && jar cf /tmp/fbjars/flink-test.jar .)
 * CPJ=/tmp/fbjars/flink-test.jar:/tmp/fbjars/flink-main.jar:$(cat magics/flink/target/cp.txt)
 * java -XX:ArchiveClassesAtExit=/tmp/fbjars/app.jsa -Xmx1g -cp $CPJ org.streamlab.flink.FlinkSqlBenchmark --child
 * java "-Dbench.jvmFlags=-XX:TieredStopAtLevel=1 -XX:SharedArchiveFile=/tmp/fbjars/app.jsa" -cp $CPJ \
 *      org.streamlab.flink.FlinkSqlBenchmark 3
 * </pre>
 */
public final class FlinkSqlBenchmark {
    static final String FIRST = """
            %%flinksql
            SELECT word, COUNT(*) AS n
            FROM (VALUES ('a'), ('b'), ('a'), ('c'), ('a')) AS t(word)
            GROUP BY word
            """;
    static final String SECOND = """
            %%flinksql --mode batch
            SELECT id % 3 AS k, SUM(id) AS s FROM (VALUES (1), (2), (3), (4), (5), (6)) AS t(id) GROUP BY id % 3
            """;

    public static void main(String[] args) throws Exception {
        List<String> jvmFlags = new ArrayList<>(List.of("-Xmx1g", "-XX:+UseSerialGC"));
        String extra = System.getProperty("bench.jvmFlags", "").strip();
        if (!extra.isEmpty()) {
            jvmFlags.addAll(List.of(extra.split("\\s+")));
        }
        if (args.length > 0 && args[0].equals("--child")) {
            child();
            return;
        }
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        List<Double> first = new ArrayList<>();
        List<Double> second = new ArrayList<>();
        List<Double> rss = new ArrayList<>();
        List<Double> firstCpu = new ArrayList<>();
        List<Double> secondCpu = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.addAll(jvmFlags);
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), FlinkSqlBenchmark.class.getName(), "--child"));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.startsWith("RESULT ")) {
                        String[] f = line.split(" ");
                        first.add(Double.parseDouble(f[1]));
                        second.add(Double.parseDouble(f[2]));
                        rss.add(Double.parseDouble(f[3]));
                        firstCpu.add(Double.parseDouble(f[4]));
                        secondCpu.add(Double.parseDouble(f[5]));
                        System.out.printf("run %d: first result %.2f s (%.1f CPU-s), second query %.2f s (%.1f CPU-s), RSS %.0f MB%n",
                                i + 1, first.get(i), firstCpu.get(i), second.get(i), secondCpu.get(i), rss.get(i));
                    } else if (line.startsWith("FAIL") || line.startsWith("MEMORY")) {
                        System.out.println(line);
                    }
                }
            }
            p.waitFor();
        }
        System.out.println("child JVM flags: " + jvmFlags + ", load average: "
                + Files.readString(Path.of("/proc/loadavg")).strip());
        System.out.printf("median over %d fresh JVMs: first Flink SQL result %.2f s (%.1f CPU-s, cold MiniCluster), second query %.2f s (%.1f CPU-s), RSS %.0f MB%n",
                first.size(), median(first), median(firstCpu), median(second), median(secondCpu), median(rss));
    }

    static void child() throws Exception {
        Path ws = Files.createTempDirectory("flink-bench");
        try (KernelTestKit kit = KernelTestKit.start(ws)) {
            kit.execSuccess("int warm = 1 + 1;"); // the kernel is up; Flink is not started yet
            Thread.sleep(2000); // let the kernel's own background warm-up finish
            System.out.printf(java.util.Locale.ROOT, "MEMORY kernel alone (Flink not started): RSS %.0f MB%n", rssMb());
            long c0 = cpuNanos();
            long t0 = System.nanoTime();
            CellOutcome a = kit.execSuccess(FIRST);
            double first = (System.nanoTime() - t0) / 1e9;
            double firstCpu = (cpuNanos() - c0) / 1e9;
            if (!a.text().contains("3 rows")) {
                System.out.println("FAIL first query: " + a.text());
            }
            c0 = cpuNanos();
            t0 = System.nanoTime();
            CellOutcome b = kit.execSuccess(SECOND);
            double second = (System.nanoTime() - t0) / 1e9;
            double secondCpu = (cpuNanos() - c0) / 1e9;
            if (!b.text().contains("3 rows")) {
                System.out.println("FAIL second query: " + b.text());
            }
            System.out.printf(java.util.Locale.ROOT, "RESULT %.3f %.3f %.0f %.3f %.3f%n", first, second, rssMb(), firstCpu, secondCpu);
            System.gc();
            long heap = java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            long meta = java.lang.management.ManagementFactory.getMemoryPoolMXBeans().stream()
                    .filter(m -> m.getName().equals("Metaspace")).mapToLong(m -> m.getUsage().getUsed()).sum();
            System.out.printf(java.util.Locale.ROOT, "MEMORY live heap after GC %.0f MB, metaspace %.0f MB%n", heap / 1048576.0, meta / 1048576.0);
        }
        System.exit(0);
    }

    /** CPU time of the whole process (all threads): what the work costs, whatever the machine's load. */
    static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    static double rssMb() throws Exception {
        for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (l.startsWith("VmRSS:")) {
                return Long.parseLong(l.replaceAll("\\D+", "")) / 1024.0;
            }
        }
        return -1;
    }

    static double median(List<Double> xs) {
        if (xs.isEmpty()) {
            return Double.NaN;
        }
        double[] a = xs.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }
}
