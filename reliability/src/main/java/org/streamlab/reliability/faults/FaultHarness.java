package org.streamlab.reliability.faults;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.streamlab.kernel.testkit.KernelTestKit;

/**
 * Fault figures from one harness: a Kafka broker (a JVM of its own) SIGKILLed mid-produce, clickhouse-server SIGKILLed mid-insert, the
 * kernel SIGKILLed mid-job. Prints a table (records lost and duplicated, time to recover) and writes it to
 * {@code reports/faults.md}. Not a test: the figures depend on the machine; FaultsTest asserts the outcomes.
 *
 * <pre>
 * mvn -B -o -q -pl reliability -am compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * java -Xmx2g -cp reliability/target/classes:$(cat /tmp/cp.txt) org.streamlab.reliability.faults.FaultHarness \
 *     [kafka] [clickhouse] [kernel] [kernel-short] [--report reports/faults.md]
 * </pre>
 */
public final class FaultHarness {
    private FaultHarness() {
    }

    public static void main(String[] args) throws Exception {
        List<String> which = new ArrayList<>();
        Path report = Path.of("reports", "faults.md");
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--report")) {
                report = Path.of(args[++i]);
            } else {
                which.add(args[i]);
            }
        }
        if (which.isEmpty()) {
            which = List.of("kafka", "clickhouse", "kernel");
        }
        List<FaultResult> results = new ArrayList<>();
        Path workspace = Files.createTempDirectory("streamlab-faults-");
        try (KernelTestKit kit = KernelTestKit.start(workspace.resolve("kernel"))) {
            for (String w : which) {
                System.err.println("== fault scenario: " + w);
                switch (w) {
                    case "kafka" -> results.add(KafkaBrokerFault.run(workspace.resolve("kafka-cluster"), 30_000, 1_000));
                    case "clickhouse" -> results.add(ClickHouseKillFault.run(kit, 10, 100_000));
                    case "kernel" -> results.add(KernelKillFault.run(workspace.resolve("killed-kernel"), 40_000));
                    // the sink's transaction timeout (10 s) shorter than the outage: shows the loss and its cause
                    case "kernel-short" -> results.add(KernelKillFault.run(workspace.resolve("killed-kernel-short"), 40_000, 10_000));
                    default -> throw new IllegalArgumentException("unknown scenario " + w + ": kafka, clickhouse, kernel or kernel-short");
                }
                System.out.println(table(List.of(results.get(results.size() - 1))));
            }
        }
        String text = table(results);
        System.out.println();
        System.out.println(text);
        Files.createDirectories(report.toAbsolutePath().getParent());
        Files.writeString(report, "# Fault figures\n\n" + Instant.now() + ", " + Runtime.getRuntime().availableProcessors()
                + " cores, load " + load() + "\n\n" + text + "\n");
        System.out.println("written to " + report.toAbsolutePath());
        Runtime.getRuntime().halt(results.stream().allMatch(FaultResult::exact) ? 0 : 1);
    }

    /** A markdown table of the results, then each scenario's notes. */
    public static String table(List<FaultResult> results) {
        StringBuilder sb = new StringBuilder("| scenario | fault | injected | expected | lost | duplicated | recovery |\n|---|---|---|---:|---:|---:|---|\n");
        for (FaultResult r : results) {
            sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %d | %d | %d | %s |%n", r.scenario(), r.fault(), r.injected() ? "yes" : "NO", r.expected(),
                    r.lost(), r.duplicated(), r.recovery()));
        }
        for (FaultResult r : results) {
            sb.append("\n").append(r.scenario()).append(":\n");
            r.notes().forEach(n -> sb.append("- ").append(n).append('\n'));
        }
        return sb.toString();
    }

    private static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "?";
        }
    }
}
