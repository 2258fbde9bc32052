package org.streamlab.clickhouse;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.streamlab.kernel.UserError;
import org.streamlab.platform.ChildProcesses;

/**
 * A real {@code clickhouse-server} process: generated config (loopback only, free ports picked at start), data,
 * logs and tmp under one folder so tables survive a restart. The process dies with the kernel: a JVM shutdown
 * hook stops it, and a tiny shell watchdog kills it if the kernel JVM disappears without running hooks (SIGKILL).
 */
public final class EmbeddedClickHouse {
    /** Where Debian and the official packages put the binaries, in case PATH lacks /usr/sbin. */
    private static final List<String> EXTRA_DIRS = List.of("/usr/sbin", "/usr/bin", "/usr/local/bin", "/usr/local/sbin");

    private final Path baseDir;
    private final Process process;
    private final Process watchdog;
    private final Thread shutdownHook;
    private final int httpPort;
    private final int tcpPort;

    private EmbeddedClickHouse(Path baseDir, Process process, Process watchdog, Thread shutdownHook, int httpPort, int tcpPort) {
        this.baseDir = baseDir;
        this.process = process;
        this.watchdog = watchdog;
        this.shutdownHook = shutdownHook;
        this.httpPort = httpPort;
        this.tcpPort = tcpPort;
    }

    /** The command that starts a server: {@code clickhouse-server} or the official single binary's {@code clickhouse server}. */
    public record Binary(Path path, boolean singleBinary) {
        List<String> command(Path configFile) {
            List<String> cmd = new ArrayList<>();
            cmd.add(path.toString());
            if (singleBinary) {
                cmd.add("server");
            }
            cmd.add("--config-file=" + configFile);
            return cmd;
        }
    }

    /**
     * Finds the server binary: {@code configured} (CLICKHOUSE_BINARY) if given, else {@code clickhouse-server} or
     * {@code clickhouse} on PATH or in the usual system folders.
     */
    public static Optional<Binary> findBinary(Optional<String> configured) {
        if (configured.isPresent()) {
            Path p = Path.of(configured.get());
            if (!Files.isExecutable(p)) {
                return Optional.empty();
            }
            String n = p.getFileName().toString();
            return Optional.of(new Binary(p, n.equals("clickhouse")));
        }
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(File.pathSeparator)) {
                if (!d.isBlank()) {
                    dirs.add(d);
                }
            }
        }
        dirs.addAll(EXTRA_DIRS);
        for (String name : List.of("clickhouse-server", "clickhouse")) {
            for (String d : dirs) {
                Path p = Path.of(d, name);
                if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                    return Optional.of(new Binary(p, name.equals("clickhouse")));
                }
            }
        }
        return Optional.empty();
    }

    /** Starts a server with its files under {@code baseDir}, waiting until {@code /ping} answers. */
    public static EmbeddedClickHouse start(Binary binary, Path baseDir, long timeoutMillis) throws IOException, InterruptedException {
        Path data = Files.createDirectories(baseDir.resolve("data"));
        Path logs = Files.createDirectories(baseDir.resolve("log"));
        Path tmp = Files.createDirectories(baseDir.resolve("tmp"));
        Path conf = Files.createDirectories(baseDir.resolve("config"));
        // a fresh error log per start, so a failure message quotes this start only
        Path errLog = logs.resolve("clickhouse-server.err.log");
        if (Files.exists(errLog)) {
            Files.move(errLog, logs.resolve("clickhouse-server.err.log.prev"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        IOException portClash = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int[] ports = freePorts(2);
            Path configFile = writeConfig(conf, data, logs, tmp, ports[0], ports[1]);
            Path stdout = logs.resolve("stdout.log");
            ProcessBuilder pb = new ProcessBuilder(binary.command(configFile))
                    .directory(baseDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.to(stdout.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            pb.environment().put("TZ", "UTC");
            Process p = pb.start();
            Process dog = ChildProcesses.watchdog(p.pid(), 10);
            Thread hook = new Thread(() -> {
                ChildProcesses.killTree(dog, 0);
                ChildProcesses.killTree(p, 5_000);
            }, "clickhouse-server-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            EmbeddedClickHouse server = new EmbeddedClickHouse(baseDir, p, dog, hook, ports[0], ports[1]);
            String url = server.httpUrl();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            long sleep = 5;
            while (true) {
                if (ClickHouseHttp.ping(url, 500)) {
                    server.writeInfo();
                    return server;
                }
                if (!p.isAlive()) {
                    server.stop();
                    String why = lastLines(stdout, errLog);
                    if (why.contains("Address already in use")) {
                        portClash = new IOException(why);
                        break; // another process took a port between picking and binding: try new ports
                    }
                    if (why.contains("Another server instance") || why.contains("Cannot lock file")) {
                        throw new UserError("another clickhouse-server already uses " + data,
                                "stop it (or the other kernel using this workspace), or set STREAMLAB_WORKSPACE to another folder");
                    }
                    throw new UserError("clickhouse-server exited during start (code " + p.exitValue() + "): " + why,
                            "see the logs in " + logs);
                }
                if (System.nanoTime() > deadline) {
                    server.stop();
                    throw new UserError("clickhouse-server did not answer /ping on " + url + " within " + timeoutMillis + " ms",
                            "see the logs in " + logs + "; the machine may be overloaded: retry with %services restart clickhouse");
                }
                Thread.sleep(sleep);
                sleep = Math.min(50, sleep * 2);
            }
        }
        throw portClash;
    }

    public String httpUrl() { return "http://127.0.0.1:" + httpPort; }

    public int httpPort() { return httpPort; }

    /** The native-protocol port, for {@code clickhouse-client --port N}. */
    public int tcpPort() { return tcpPort; }

    public Path baseDir() { return baseDir; }

    public long pid() { return process.pid(); }

    public boolean isAlive() { return process.isAlive(); }

    /** Exit code once the process has ended. */
    public int exitValue() { return process.exitValue(); }

    /** What another kernel on the same workspace reads to use this server instead of starting its own. */
    static final String INFO_FILE = "server.properties";

    /** A running server of another kernel on the same folder: its pid and HTTP port. */
    record Running(long pid, int httpPort) {}

    private void writeInfo() {
        java.util.Properties p = new java.util.Properties();
        p.setProperty("pid", Long.toString(process.pid()));
        p.setProperty("http_port", Integer.toString(httpPort));
        p.setProperty("tcp_port", Integer.toString(tcpPort));
        p.setProperty("kernel_pid", Long.toString(ProcessHandle.current().pid()));
        Path tmp = baseDir.resolve(INFO_FILE + ".tmp");
        try (var w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            p.store(w, "the clickhouse-server a StreamLab kernel runs on this folder");
            Files.move(tmp, baseDir.resolve(INFO_FILE), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException ignored) {
            // sharing is a convenience; the server runs anyway
        }
    }

    /**
     * The server another kernel runs on {@code baseDir}, if its process is alive and answers /ping: two notebooks
     * of one workspace then share one server (one data folder can only have one).
     */
    static Optional<Running> findRunning(Path baseDir) {
        Path f = baseDir.resolve(INFO_FILE);
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        java.util.Properties p = new java.util.Properties();
        try (var r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
            p.load(r);
            long pid = Long.parseLong(p.getProperty("pid", "-1"));
            int port = Integer.parseInt(p.getProperty("http_port", "-1"));
            boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
            if (alive && port > 0 && ClickHouseHttp.ping("http://127.0.0.1:" + port, 1000)) {
                return Optional.of(new Running(pid, port));
            }
        } catch (IOException | RuntimeException ignored) {
            // unreadable or stale: start a server of our own
        }
        return Optional.empty();
    }

    /** Stops the server gracefully (SIGTERM, then SIGKILL after 15 s), its child processes and the watchdog. */
    public void stop() {
        try {
            Path info = baseDir.resolve(INFO_FILE);
            java.util.Properties p = new java.util.Properties();
            if (Files.isRegularFile(info)) {
                try (var r = Files.newBufferedReader(info, StandardCharsets.UTF_8)) {
                    p.load(r);
                }
                if (Long.toString(process.pid()).equals(p.getProperty("pid"))) {
                    Files.deleteIfExists(info);
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // a stale file is detected by the next reader (dead pid)
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException | IllegalArgumentException ignored) {
            // already shutting down, or never added
        }
        ChildProcesses.killTree(watchdog, 0);
        ChildProcesses.killTree(process, 15_000);
    }

    static int[] freePorts(int n) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                sockets.add(s);
                ports[i] = s.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket s : sockets) {
                s.close();
            }
        }
    }

    private static Path writeConfig(Path conf, Path data, Path logs, Path tmp, int httpPort, int tcpPort) throws IOException {
        Files.createDirectories(data.resolve("user_files"));
        Files.createDirectories(data.resolve("format_schemas"));
        String config = """
                <?xml version="1.0"?>
                <!-- Generated by StreamLab at each start (ports change); edits are overwritten. -->
                <yandex>
                  <logger>
                    <level>warning</level>
                    <log>%s</log>
                    <errorlog>%s</errorlog>
                    <size>10M</size>
                    <count>2</count>
                  </logger>
                  <listen_host>127.0.0.1</listen_host>
                  <http_port>%d</http_port>
                  <tcp_port>%d</tcp_port>
                  <path>%s/</path>
                  <tmp_path>%s/</tmp_path>
                  <user_files_path>%s/</user_files_path>
                  <format_schema_path>%s/</format_schema_path>
                  <users_config>users.xml</users_config>
                  <default_profile>default</default_profile>
                  <default_database>default</default_database>
                  <timezone>UTC</timezone>
                  <max_connections>256</max_connections>
                  <keep_alive_timeout>10</keep_alive_timeout>
                  <max_concurrent_queries>100</max_concurrent_queries>
                  <mark_cache_size>268435456</mark_cache_size>
                  <uncompressed_cache_size>268435456</uncompressed_cache_size>
                  <mlock_executable>false</mlock_executable>
                  <builtin_dictionaries_reload_interval>3600</builtin_dictionaries_reload_interval>
                  <!-- system.query_log: rows read and returned per query (the MergeTree notebook measures with it);
                       SYSTEM FLUSH LOGS writes the buffered rows at once -->
                  <query_log>
                    <database>system</database>
                    <table>query_log</table>
                    <flush_interval_milliseconds>1000</flush_interval_milliseconds>
                  </query_log>
                  <!-- librdkafka settings of ENGINE = Kafka tables: a new consumer group reads a topic from its
                       beginning (librdkafka's default is the end), as learners expect after producing first -->
                  <kafka>
                    <auto_offset_reset>smallest</auto_offset_reset>
                  </kafka>
                </yandex>
                """.formatted(xml(logs.resolve("clickhouse-server.log")), xml(logs.resolve("clickhouse-server.err.log")),
                httpPort, tcpPort, xml(data), xml(tmp), xml(data.resolve("user_files")), xml(data.resolve("format_schemas")));
        String users = """
                <?xml version="1.0"?>
                <yandex>
                  <profiles>
                    <default>
                      <max_memory_usage>4000000000</max_memory_usage>
                      <load_balancing>random</load_balancing>
                      <!-- ISO 8601 timestamps (2024-03-01T10:00:05Z, as Java's Instant prints them) parse too -->
                      <date_time_input_format>best_effort</date_time_input_format>
                      <log_queries>1</log_queries>
                    </default>
                  </profiles>
                  <users>
                    <default>
                      <password></password>
                      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
                      <profile>default</profile>
                      <quota>default</quota>
                    </default>
                  </users>
                  <quotas>
                    <default>
                      <interval>
                        <duration>3600</duration>
                        <queries>0</queries>
                        <errors>0</errors>
                        <result_rows>0</result_rows>
                        <read_rows>0</read_rows>
                        <execution_time>0</execution_time>
                      </interval>
                    </default>
                  </quotas>
                </yandex>
                """;
        Files.writeString(conf.resolve("users.xml"), users, StandardCharsets.UTF_8);
        Path file = conf.resolve("config.xml");
        Files.writeString(file, config, StandardCharsets.UTF_8);
        return file;
    }

    private static String xml(Path p) {
        return p.toAbsolutePath().toString().replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /** The most telling lines of the server's output: error-log lines first, else the last stdout lines. */
    static String lastLines(Path... files) {
        StringBuilder sb = new StringBuilder();
        for (Path f : files) {
            try {
                if (!Files.isRegularFile(f)) {
                    continue;
                }
                List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
                int from = Math.max(0, lines.size() - 3);
                for (String l : lines.subList(from, lines.size())) {
                    if (!l.isBlank() && !l.startsWith("Logging ")) {
                        sb.append(sb.length() == 0 ? "" : " | ").append(l.strip());
                    }
                }
            } catch (IOException | RuntimeException ignored) {
                // best effort: the message is still useful without the log
            }
        }
        return sb.length() == 0 ? "no output (see the log folder)" : sb.toString();
    }
}
