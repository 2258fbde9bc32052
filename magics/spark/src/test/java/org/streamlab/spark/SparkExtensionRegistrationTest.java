package org.streamlab.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Registering the extension (done at every kernel start) must stay cheap: no Spark class may be loaded. */
class SparkExtensionRegistrationTest {
    @TempDir
    Path dir;

    @Test
    void registrationLoadsNoSparkOrScalaClass() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-verbose:class", "-cp", System.getProperty("java.class.path"),
                RegistrationProbe.class.getName(), dir.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out.lines().filter(l -> !l.startsWith("[")).toList().toString());
        assertTrue(out.contains("PROBE-MAGICS [%%services, %%sparksql, %delta]") || out.contains("PROBE-MAGICS [%services, %%sparksql, %delta]"),
                out.lines().filter(l -> l.startsWith("PROBE")).toList().toString());
        assertTrue(out.contains("PROBE-CURRENT true STOPPED local[*]"), out.lines().filter(l -> l.startsWith("PROBE")).toList().toString());
        List<String> loaded = out.lines().filter(l -> l.contains("[class,load]"))
                .filter(l -> l.contains(" org.apache.spark.") || l.contains(" io.delta.") || l.contains(" scala.")
                        || l.contains(" org.apache.hadoop."))
                .toList();
        assertTrue(out.contains("org.streamlab.spark.SparkService"), "the probe did load the extension");
        assertTrue(loaded.isEmpty(), "registration loaded engine classes: " + loaded.subList(0, Math.min(10, loaded.size())));
    }
}
