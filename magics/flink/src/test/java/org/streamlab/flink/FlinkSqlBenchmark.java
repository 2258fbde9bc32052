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
 * The argument is the number of fresh JVMs (default 5). Children run with -Xmx1g -XX:+UseSerialGC.
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
        if (args.length > 0 && args[0].equals("--child")) {
            child();
            return;
        }
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        List<Double> first = new ArrayList<>();
        List<Double> second = new ArrayList<>();
        List<Double> rss = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx1g", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                    FlinkSqlBenchmark.class.getName(), "--child").redirectErrorStream(true).start();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.startsWith("RESULT ")) {
                        String[] f = line.split(" ");
                        first.add(Double.parseDouble(f[1]));
                        second.add(Double.parseDouble(f[2]));
                        rss.add(Double.parseDouble(f[3]));
                        System.out.printf("run %d: first result %.2f s, second query %.2f s, RSS %.0f MB%n",
                                i + 1, first.get(i), second.get(i), rss.get(i));
                    } else if (line.startsWith("FAIL")) {
                        System.out.println(line);
                    }
                }
            }
            p.waitFor();
        }
        System.out.printf("median over %d fresh JVMs: first Flink SQL result %.2f s (cold MiniCluster), second query %.2f s, RSS %.0f MB%n",
                first.size(), median(first), median(second), median(rss));
    }

    static void child() throws Exception {
        Path ws = Files.createTempDirectory("flink-bench");
        try (KernelTestKit kit = KernelTestKit.start(ws)) {
            kit.execSuccess("int warm = 1 + 1;"); // the kernel is up; Flink is not started yet
            long t0 = System.nanoTime();
            CellOutcome a = kit.execSuccess(FIRST);
            double first = (System.nanoTime() - t0) / 1e9;
            if (!a.text().contains("3 rows")) {
                System.out.println("FAIL first query: " + a.text());
            }
            t0 = System.nanoTime();
            CellOutcome b = kit.execSuccess(SECOND);
            double second = (System.nanoTime() - t0) / 1e9;
            if (!b.text().contains("3 rows")) {
                System.out.println("FAIL second query: " + b.text());
            }
            System.out.printf(java.util.Locale.ROOT, "RESULT %.3f %.3f %.0f%n", first, second, rssMb());
        }
        System.exit(0);
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
