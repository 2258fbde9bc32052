package org.streamlab.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamlab.kernel.testkit.KernelTestKit;

/**
 * External mode: a Spark standalone master and worker started as separate processes on loopback (their mains
 * from this class path), and SQL run through SPARK_MASTER. Also: a master that does not answer.
 */
class SparkExternalModeTest {
    private static final List<String> OPENS = List.of("--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED", "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED", "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
            "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED");

    @TempDir
    Path dir;

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stopCluster() throws InterruptedException {
        java.util.Collections.reverse(processes);
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void masterThatDoesNotAnswerGivesAClearErrorAndTheKernelStaysUp() throws Exception {
        String url = "spark://127.0.0.1:" + freePort();
        try (KernelTestKit kit = KernelTestKit.start(dir.resolve("ws"), Map.of("SPARK_MASTER", url))) {
            String error = kit.execError("%%sparksql\nSELECT 1").errorMessage();
            assertTrue(error.contains(url) && error.contains("did not answer"), error);
            assertTrue(error.contains("SPARK_MASTER"), "says how to configure it: " + error);
            assertTrue(kit.execError("%delta history t").errorMessage().contains(url));
            assertEquals(2, kit.eval("1 + 1"));
            String services = kit.execSuccess("%services").text();
            assertTrue(services.contains("spark") && services.contains("failed"), services);
        }
    }

    private Process launch(String name, List<String> args, Map<String, String> env) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx384m");
        cmd.add("-XX:+UseSerialGC");
        cmd.addAll(OPENS);
        // the platform's log4j2.xml sends Spark's logs to a file; these processes are awaited through their console
        cmd.add("-Dlog4j2.configurationFile=" + consoleLogging());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    private Path consoleLogging() throws IOException {
        Path config = dir.resolve("console-log4j2.properties");
        Files.writeString(config, String.join("\n",
                "rootLogger.level = info", "rootLogger.appenderRef.stdout.ref = console",
                "appender.console.type = Console", "appender.console.name = console", "appender.console.target = SYSTEM_OUT",
                "appender.console.layout.type = PatternLayout", "appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n", ""));
        return config;
    }

    private void awaitLog(String name, String text, Process p, int seconds) throws Exception {
        Path log = dir.resolve(name + ".log");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && Files.readString(log).contains(text)) {
                return;
            }
            if (!p.isAlive()) {
                throw new AssertionError(name + " exited: " + Files.readString(log));
            }
            Thread.sleep(250);
        }
        throw new AssertionError(name + " did not log '" + text + "' within " + seconds + " s:\n" + Files.readString(log));
    }

    @Test
    void sqlRunsOnAStandaloneClusterInOtherProcesses() throws Exception {
        int port = freePort();
        String url = "spark://127.0.0.1:" + port;
        // the worker builds executor command lines from SPARK_HOME/jars; executors get this class path instead
        Path sparkHome = Files.createDirectories(dir.resolve("spark-home"));
        Files.createDirectories(sparkHome.resolve("jars"));
        Map<String, String> env = Map.of("SPARK_HOME", sparkHome.toString(), "SPARK_SCALA_VERSION", "2.13",
                "SPARK_LOCAL_IP", "127.0.0.1");
        Process master = launch("master", List.of("-Dspark.master.rest.enabled=false",
                "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", String.valueOf(port),
                "--webui-port", String.valueOf(freePort())), env);
        awaitLog("master", "I have been elected leader", master, 120);
        Process worker = launch("worker", List.of("org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
                "--cores", "2", "--memory", "1g", "--webui-port", String.valueOf(freePort()),
                "--work-dir", Files.createDirectories(dir.resolve("work")).toString(), url), env);
        awaitLog("worker", "Successfully registered with master", worker, 120);

        try (KernelTestKit kit = KernelTestKit.start(dir.resolve("ws"), Map.of("SPARK_MASTER", url))) {
            String html = kit.execHtml("%%sparksql\nSELECT count(*) AS n, sum(id) AS total FROM range(0, 1000, 1, 4)");
            assertEquals(List.of("1000|499500"), SparkSqlMagicTest.rows(html));
            assertEquals(url, kit.eval("org.streamlab.spark.Spark.session().sparkContext().master()"));
            // the work ran in an executor process of the worker, not in the kernel's JVM
            int executors = (Integer) kit.eval("org.streamlab.spark.Spark.session().sparkContext().statusTracker().getExecutorInfos().length");
            assertTrue(executors >= 2, "driver + at least one executor, got " + executors);
            assertTrue(Files.readString(dir.resolve("master.log")).contains("Registering app StreamLab"));
            String services = kit.execSuccess("%services").text();
            assertTrue(services.contains("external") && services.contains(url), services);
            // Delta through the cluster: executors write the files, the kernel commits
            kit.execSuccess("%%sparksql\nCREATE TABLE ext_t USING DELTA AS SELECT id FROM range(0, 10)");
            assertEquals(List.of("45"), SparkSqlMagicTest.rows(kit.execHtml("%%sparksql\nSELECT sum(id) FROM ext_t")));
        }
    }
}
