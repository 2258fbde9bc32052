package org.streamlab.feast;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.streamlab.kernel.UserError;
import org.streamlab.platform.ChildProcesses;

/**
 * {@code feast serve} as a child process of the kernel: the repository's feature server over HTTP on 127.0.0.1 and
 * a free port, its log in the workspace. It stops with the kernel (shutdown hook, and a watchdog for a kernel
 * killed with -9).
 */
final class FeatureServer {
    /** How often the server re-reads the registry: a feature view applied a moment ago is served a second later. */
    static final int REGISTRY_TTL_SECONDS = 1;

    private final Process process;
    private final Process watchdog;
    private final Thread shutdownHook;
    private final int port;
    private final Path log;

    private FeatureServer(Process process, Process watchdog, Thread shutdownHook, int port, Path log) {
        this.process = process;
        this.watchdog = watchdog;
        this.shutdownHook = shutdownHook;
        this.port = port;
        this.log = log;
    }

    static FeatureServer start(FeastBinary binary, Path repo, Path runDir, Path log, long timeoutMillis,
                               BooleanSupplier interrupted) throws IOException {
        Files.createDirectories(log.getParent());
        if (Files.exists(log)) {
            Files.move(log, log.resolveSibling(log.getFileName() + ".prev"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        int port = freePort();
        List<String> command = List.of(binary.feast().toString(), "serve", "--host", "127.0.0.1", "--port", Integer.toString(port),
                "--no-access-log", "--workers", "1", "--registry_ttl_sec", Integer.toString(REGISTRY_TTL_SECONDS));
        ProcessBuilder pb = new ProcessBuilder(command).directory(repo.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        FeastProcess.prepareEnvironment(pb.environment(), runDir);
        Process p = pb.start();
        Process dog = null;
        Thread hook = null;
        // whatever ends the start early (interrupt, timeout, a failed watchdog) stops feast serve here: the service
        // never learns of a server that start did not return, and its next read would start a second one beside
        try {
            dog = ChildProcesses.watchdog(p.pid(), 5);
            Process watchdog = dog;
            hook = new Thread(() -> {
                watchdog.destroyForcibly();
                ChildProcesses.killTree(p, 5_000);
            }, "feast-serve-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            FeatureServer server = new FeatureServer(p, dog, hook, port, log);
            awaitHealthy(server, timeoutMillis, interrupted);
            return server;
        } catch (InterruptedException e) {
            Thread.interrupted(); // clear it for the stop: killTree's grace wait would end at once
            stop(p, dog, hook);
            Thread.currentThread().interrupt();
            throw new UserError("interrupted: the Feast feature server was stopped while starting", null);
        } catch (IOException | RuntimeException | Error e) {
            stop(p, dog, hook);
            throw e;
        }
    }

    private static void awaitHealthy(FeatureServer server, long timeoutMillis, BooleanSupplier interrupted)
            throws IOException, InterruptedException {
        FeastClient client = new FeastClient(server.url());
        Process p = server.process;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true) {
            if (client.healthy(500)) {
                return;
            }
            if (!p.isAlive()) {
                String why = FeastProcess.failureLine(FeastProcess.clean(Files.readString(server.log, StandardCharsets.UTF_8)));
                String hint = why.contains("Registry") || why.contains("registry")
                        ? "apply feature definitions first (%%feast apply); the server's log is " + server.log
                        : "see the server's log " + server.log;
                throw new UserError("feast serve exited during start (code " + p.exitValue() + "): " + why, hint);
            }
            if (interrupted.getAsBoolean()) {
                throw new InterruptedException();
            }
            if (System.nanoTime() > deadline) {
                throw new UserError("the Feast feature server (feast serve on " + server.url() + ") did not answer /health within "
                        + timeoutMillis + " ms", "see its log " + server.log + "; the machine may be busy: retry with %services restart feast,"
                        + " or give it longer with " + FeastService.START_TIMEOUT_KEY);
            }
            Thread.sleep(100);
        }
    }

    String url() { return "http://127.0.0.1:" + port; }

    long pid() { return process.pid(); }

    boolean isAlive() { return process.isAlive(); }

    int exitValue() { return process.exitValue(); }

    Path log() { return log; }

    void stop() {
        stop(process, watchdog, shutdownHook);
    }

    private static void stop(Process process, Process watchdog, Thread shutdownHook) {
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException | IllegalArgumentException ignored) {
                // the JVM is shutting down: the hook does the same
            }
        }
        if (watchdog != null) {
            ChildProcesses.killTree(watchdog, 0);
        }
        ChildProcesses.killTree(process, 10_000);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
