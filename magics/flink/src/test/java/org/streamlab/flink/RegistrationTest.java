package org.streamlab.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamlab.kernel.testkit.KernelTestKit;

/** Registering the extension (every kernel start) loads no Flink class and starts nothing. */
class RegistrationTest {
    @TempDir
    Path dir;

    /** Run in a fresh JVM with -verbose:class by the test below. */
    public static void main(String[] args) {
        try (KernelTestKit kit = KernelTestKit.start(Path.of(args[0]))) {
            System.out.println("LSMAGIC " + kit.execSuccess("%lsmagic").allText().replace('\n', ' '));
            System.out.println("HELP " + kit.execSuccess("%help flinksql").allText().replace('\n', ' '));
            System.out.println("SERVICES " + kit.execSuccess("%services").text().replace('\n', ' '));
            System.out.println("JOBS " + kit.execSuccess("%flink jobs").allText().replace('\n', ' '));
        }
        System.exit(0);
    }

    @Test
    void registrationLoadsNoFlinkClass() throws Exception {
        Path out = dir.resolve("out.txt");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-verbose:class", "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                RegistrationTest.class.getName(), Files.createDirectories(dir.resolve("ws")).toString())
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "probe JVM did not finish");
        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        String lsmagic = lines.stream().filter(l -> l.startsWith("LSMAGIC ")).findFirst().orElseThrow(() -> new AssertionError(String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()))));
        assertTrue(lsmagic.contains("flinksql") && lsmagic.contains("flink"), lsmagic);
        String services = lines.stream().filter(l -> l.startsWith("SERVICES ")).findFirst().orElseThrow();
        assertTrue(services.contains("flink") && services.contains("stopped"), services);
        assertTrue(lines.stream().anyMatch(l -> l.contains("org.streamlab.flink.FlinkExtension")), "the extension was loaded");
        String jobs = lines.stream().filter(l -> l.startsWith("JOBS ")).findFirst().orElseThrow();
        assertTrue(jobs.contains("not started") && !jobs.contains("\"no Flink"), jobs); // shown as text, not a quoted String
        List<String> flink = lines.stream().filter(l -> l.contains("[class,load] org.apache.flink.")
                || l.contains("org.streamlab.flink.FlinkEngine") || l.contains("org.streamlab.flink.SqlCell ")).toList();
        assertEquals(List.of(), flink);
    }
}
