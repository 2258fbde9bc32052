package org.streamlab.kafka;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.tools.ProducerPerformance;
import org.streamlab.kernel.KernelConfig;
import org.streamlab.kernel.testkit.CellOutcome;
import org.streamlab.kernel.testkit.KernelTestKit;

/**
 * Benchmark harness (not a test): prints figures, asserts nothing.
 *
 * <p>Run from the repository root:
 * <pre>
 * mvn -q -pl magics/kafka test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/test.cp
 * java -Xmx1g -cp magics/kafka/target/test-classes:magics/kafka/target/classes:$(cat magics/kafka/target/test.cp) \
 *      org.streamlab.kafka.KafkaBenchmark [records=500000] [size=100] [starts=5] [rounds=5]
 * # one start-up in this JVM, with memory figures, e.g. for a 3-broker cluster:
 * java -Xmx512m -cp ... org.streamlab.kafka.KafkaBenchmark --probe /tmp/some-empty-dir 3
 * </pre>
 *
 * <ol>
 *   <li>Embedded broker ready time: {@code KafkaService.ensureStarted()} in a fresh JVM each time (class loading
 *       included), on a fresh workspace (cold: formats storage) and on the same workspace again (restart).
 *       Medians of {@code starts} runs.</li>
 *   <li>Produce throughput against one embedded broker, in one run: the project's path ({@code %%kafka produce}
 *       cell through the kernel test kit: body parsing, producer, progress, per-partition summary) versus Kafka's
 *       own {@code org.apache.kafka.tools.ProducerPerformance} with the same record count and size and the same
 *       producer settings (acks=all, linger.ms=5). Rounds alternate which goes first; medians, bests, and the
 *       ratio (target: at least 0.9). On a shared machine look at the load average printed with each round.</li>
 * </ol>
 */
public final class KafkaBenchmark {
    public static void main(String[] args) throws Exception {
        if (args.length >= 2 && args[0].equals("--probe")) {
            probe(Path.of(args[1]), args.length > 2 ? Integer.parseInt(args[2]) : 1);
            return;
        }
        int records = intArg(args, "records", 500_000);
        int size = intArg(args, "size", 100);
        int starts = intArg(args, "starts", 5);
        int rounds = intArg(args, "rounds", 5);
        System.out.printf("StreamLab Kafka benchmark: %d cores, java %s, load average %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), loadAverage());

        readyTimes(starts);
        throughput(records, size, rounds);
    }

    // ---- broker ready time -----------------------------------------------------------------------------

    /** Child-process entry: time KafkaService.ensureStarted() on workspace {@code ws}, print it, stop. */
    private static void probe(Path ws, int brokers) {
        long t0 = System.nanoTime();
        KafkaService s = new KafkaService(KernelConfig.load(Map.of(KernelConfig.WORKSPACE, ws.toString()), ws));
        s.start(brokers == 1 ? Map.of() : Map.of("brokers", String.valueOf(brokers)));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("READY_MS=" + ms);
        System.out.println("PHASES=" + s.startupPhases());
        System.gc();
        Runtime rt = Runtime.getRuntime();
        String rss = "?";
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (l.startsWith("VmRSS:")) {
                    rss = l.substring(6).strip();
                }
            }
        } catch (Exception ignored) {
            // not Linux
        }
        System.out.println("MEMORY=heap used after GC " + (rt.totalMemory() - rt.freeMemory()) / (1024 * 1024) + " MB, RSS " + rss
                + " (-Xmx512m JVM, idle embedded Kafka with " + brokers + " broker(s))");
        System.out.flush();
        s.stop();
        System.exit(0);
    }

    private static void readyTimes(int starts) throws Exception {
        if (starts <= 0) {
            return;
        }
        List<Long> cold = new ArrayList<>();
        List<Long> restart = new ArrayList<>();
        for (int i = 0; i < starts; i++) {
            Path ws = Files.createTempDirectory("kafka-bench-ws");
            cold.add(runProbe(ws));
            restart.add(runProbe(ws));
        }
        System.out.printf("embedded broker ready (fresh JVM, KafkaService.ensureStarted): cold median %d ms %s; "
                + "restart on same workspace median %d ms %s; load %s%n", median(cold), cold, median(restart), restart, loadAverage());
    }

    private static long runProbe(Path ws) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"), KafkaBenchmark.class.getName(), "--probe", ws.toString());
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        long ms = -1;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("READY_MS=")) {
                    ms = Long.parseLong(line.substring(9));
                } else if (line.startsWith("PHASES=")) {
                    System.out.println("  start-up phases: " + line.substring(7));
                } else if (line.startsWith("MEMORY=")) {
                    System.out.println("  memory: " + line.substring(7));
                }
            }
        }
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        if (ms < 0) {
            throw new IllegalStateException("probe did not report a ready time");
        }
        return ms;
    }

    // ---- throughput ------------------------------------------------------------------------------------

    private static void throughput(int records, int size, int rounds) throws Exception {
        Path ws = Files.createTempDirectory("kafka-bench-throughput");
        StringBuilder body = new StringBuilder(records * (size + 1) + 64);
        java.util.SplittableRandom random = new java.util.SplittableRandom(42);
        for (int i = 0; i < records; i++) {
            for (int j = 0; j < size; j++) {
                body.append((char) ('a' + random.nextInt(26)));
            }
            body.append('\n');
        }
        try (KernelTestKit kit = KernelTestKit.start(ws)) {
            kit.execSuccess("%kafka create bench-ours --partitions 1");
            kit.execSuccess("%kafka create bench-perf --partitions 1");
            String bootstrap = Kafka.bootstrapServers();
            // warm-up of both paths (JIT, connections)
            ours(kit, body.substring(0, Math.min(body.length(), 100_000 * (size + 1))));
            perf(bootstrap, 100_000, size);

            List<Double> oursRates = new ArrayList<>();
            List<Double> perfWall = new ArrayList<>();
            List<Double> perfReported = new ArrayList<>();
            List<Double> ratios = new ArrayList<>();
            List<Double> oursCpu = new ArrayList<>();
            List<Double> perfCpu = new ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                // alternate which goes first, so page cache, GC and neighbours' load hit both alike
                double[] p;
                double o;
                long c0;
                long c1;
                long c2;
                if (round % 2 == 0) {
                    c0 = cpuNanos();
                    o = records / ours(kit, body.toString());
                    c1 = cpuNanos();
                    p = perf(bootstrap, records, size);
                    c2 = cpuNanos();
                    oursCpu.add((c1 - c0) / 1e9);
                    perfCpu.add((c2 - c1) / 1e9);
                } else {
                    c0 = cpuNanos();
                    p = perf(bootstrap, records, size);
                    c1 = cpuNanos();
                    o = records / ours(kit, body.toString());
                    c2 = cpuNanos();
                    perfCpu.add((c1 - c0) / 1e9);
                    oursCpu.add((c2 - c1) / 1e9);
                }
                oursRates.add(o);
                perfWall.add(p[0]);
                perfReported.add(p[1]);
                ratios.add(o / p[0]);
                System.out.printf("round %d: %%%%kafka produce %,.0f records/s (%.2f CPU s, %.2f s of the cell inside the magic); ProducerPerformance %,.0f records/s wall "
                        + "(%,.0f reported, %.2f CPU s); ratio %.2f; load %s%n", round + 1, o, oursCpu.get(round), lastInside, p[0], p[1],
                        perfCpu.get(round), o / p[0], loadAverage());
            }
            System.out.printf("produce throughput, %d records of %d bytes, 1 partition, acks=all, linger.ms=5, %d alternating rounds:%n",
                    records, size, rounds);
            System.out.printf("  %%%%kafka produce (project path)   median %,10.0f records/s (best %,.0f)%n", medianD(oursRates), Collections.max(oursRates));
            System.out.printf("  ProducerPerformance (wall)       median %,10.0f records/s (best %,.0f)%n", medianD(perfWall), Collections.max(perfWall));
            System.out.printf("  ProducerPerformance (its report) median %,10.0f records/s (best %,.0f)%n", medianD(perfReported), Collections.max(perfReported));
            System.out.printf("  ratio project/ProducerPerformance: median of rounds %.2f, best/best %.2f (wall), best/best %.2f (its report); target >= 0.9%n",
                    medianD(ratios), Collections.max(oursRates) / Collections.max(perfWall), Collections.max(oursRates) / Collections.max(perfReported));
            // CPU seconds of this JVM (client and broker threads alike) barely depend on the neighbours' load
            System.out.printf("  CPU cost (whole JVM incl. broker), median: %%%%kafka produce %.2f s, ProducerPerformance %.2f s;"
                    + " throughput ratio by CPU cost %.2f%n", medianD(oursCpu), medianD(perfCpu), medianD(perfCpu) / medianD(oursCpu));
        }
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static double medianD(List<Double> values) {
        List<Double> s = new ArrayList<>(values);
        Collections.sort(s);
        return s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
    }

    /** The machine's 1-minute load average (benchmarks on a shared machine are only as good as this). */
    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (Exception e) {
            return "?";
        }
    }

    /** Seconds the last %%kafka produce reported for itself (parsing the body to the last acknowledgement). */
    private static double lastInside;

    /** One {@code %%kafka produce} cell through the kernel; returns wall seconds. */
    private static double ours(KernelTestKit kit, String body) {
        String cell = "%%kafka produce bench-ours\n" + body;
        long t0 = System.nanoTime();
        CellOutcome o = kit.execSuccess(cell);
        double seconds = (System.nanoTime() - t0) / 1e9;
        Matcher m = Pattern.compile("produced (\\d+) records to \\S+ in ([\\d.]+) s").matcher(o.text());
        if (!m.find()) {
            throw new IllegalStateException("unexpected result: " + o.text());
        }
        lastInside = Double.parseDouble(m.group(2));
        return seconds;
    }

    private static final Pattern PERF_TOTAL = Pattern.compile("(\\d+) records sent, ([\\d.]+) records/sec");

    /** ProducerPerformance in-process; returns {wall records/s, reported records/s}. */
    private static double[] perf(String bootstrap, int records, int size) throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        long t0;
        long t1;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            t0 = System.nanoTime();
            ProducerPerformance.main(new String[] {"--topic", "bench-perf", "--num-records", String.valueOf(records),
                    "--record-size", String.valueOf(size), "--throughput", "-1",
                    "--producer-props", "bootstrap.servers=" + bootstrap, "acks=all", "linger.ms=5"});
            t1 = System.nanoTime();
        } finally {
            System.setOut(old);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        double reported = -1;
        Matcher m = PERF_TOTAL.matcher(out);
        while (m.find()) {
            if (Long.parseLong(m.group(1)) == records) {
                reported = Double.parseDouble(m.group(2));
            }
        }
        if (reported < 0) {
            throw new IllegalStateException("no summary line from ProducerPerformance:\n" + out);
        }
        return new double[] {records / ((t1 - t0) / 1e9), reported};
    }

    private static long median(List<Long> values) {
        List<Long> s = new ArrayList<>(values);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }

    private static int intArg(String[] args, String name, int defaultValue) {
        for (String a : args) {
            if (a.startsWith(name + "=")) {
                return Integer.parseInt(a.substring(name.length() + 1));
            }
        }
        return defaultValue;
    }
}
