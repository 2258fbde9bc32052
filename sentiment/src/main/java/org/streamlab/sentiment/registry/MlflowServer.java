package org.streamlab.sentiment.registry;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.streamlab.kernel.UserError;
import org.streamlab.sentiment.ToolVenv;

/**
 * An MLflow tracking server (with its model registry and artifact proxy) as a child process, on 127.0.0.1: the
 * {@code mlflow} command of a venv of its own ({@code .venv-mlflow}, made by {@code ./streamlab setup} from
 * {@code tools/requirements-mlflow.txt}), a SQLite backend ({@code DIR/mlflow.db}) and artifacts under
 * {@code DIR/artifacts}. One worker, no job execution: about 0.4 GB.
 *
 * <p>{@link #start(Path)} returns the server already running for the same folder in this JVM (a notebook run again);
 * {@link #close()} stops it. A JVM shutdown hook stops servers left running.
 */
public final class MlflowServer implements AutoCloseable {
    /** Where the venv is, when set; otherwise the first {@code .venv-mlflow} in the working folder or a parent. */
    public static final String VENV_ENV = "STREAMLAB_MLFLOW_VENV";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(180);
    private static final Map<Path, MlflowServer> RUNNING = new ConcurrentHashMap<>();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> List.copyOf(RUNNING.values()).forEach(MlflowServer::close),
                "mlflow-server-stop"));
    }

    private final Path dir;
    private final Process process;
    private final String uri;

    private MlflowServer(Path dir, Process process, String uri) {
        this.dir = dir;
        this.process = process;
        this.uri = uri;
    }

    /** The venv holding {@code bin/mlflow}; a {@link UserError} saying how to make it when there is none. */
    public static Path findVenv() {
        return ToolVenv.find(VENV_ENV, ".venv-mlflow", "mlflow", "run ./streamlab setup (it creates .venv-mlflow with mlflow "
                + "3.17.2 from tools/requirements-mlflow.txt at the repository root), then run the cell again");
    }

    /** The server for {@code dir} (created if missing): the one already running in this JVM, or a new one. */
    public static synchronized MlflowServer start(Path dir) {
        Path key = dir.toAbsolutePath().normalize();
        MlflowServer running = RUNNING.get(key);
        if (running != null && running.process.isAlive()) {
            return running;
        }
        Path venv = findVenv();
        try {
            Files.createDirectories(key.resolve("artifacts"));
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            Path log = key.resolve("server.log");
            List<String> command = new ArrayList<>(List.of(venv.resolve("bin/mlflow").toString(), "server",
                    "--host", "127.0.0.1", "--port", Integer.toString(port), "--workers", "1",
                    "--backend-store-uri", "sqlite:///" + key.resolve("mlflow.db"),
                    "--artifacts-destination", key.resolve("artifacts").toString(), "--serve-artifacts"));
            ProcessBuilder pb = new ProcessBuilder(command).directory(key.toFile())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
            pb.environment().put("MLFLOW_SERVER_ENABLE_JOB_EXECUTION", "false");
            pb.environment().put("PATH", venv.resolve("bin") + ":" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
            Process process = pb.start();
            MlflowServer server = new MlflowServer(key, process, "http://127.0.0.1:" + port);
            RUNNING.put(key, server);
            server.awaitReady(log);
            return server;
        } catch (IOException e) {
            throw new UserError("cannot start the MLflow server in " + key + ": " + e.getMessage(),
                    "check that the folder is writable and " + venv + "/bin/mlflow runs");
        }
    }

    private void awaitReady(Path log) {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                RUNNING.remove(dir, this);
                throw new UserError("the MLflow server exited with code " + process.exitValue() + " before it was ready: "
                        + lastLines(log, 3), "read " + log + "; run ./streamlab setup if the venv is broken");
            }
            try {
                try {
                    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(uri + "/health"))
                            .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 200) {
                        return;
                    }
                } catch (IOException e) {
                    // not listening yet
                }
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new UserError("interrupted while the MLflow server started", "run the cell again");
            }
        }
        close();
        throw new UserError("the MLflow server did not answer on " + uri + "/health within " + READY_TIMEOUT.toSeconds() + " s",
                "read " + log + " (a slow first start migrates the database: run the cell again)");
    }

    private static String lastLines(Path log, int n) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - n), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    /** The tracking URI, e.g. {@code http://127.0.0.1:41234}. */
    public String uri() {
        return uri;
    }

    /** The folder with {@code mlflow.db}, {@code artifacts/} and {@code server.log}. */
    public Path dir() {
        return dir;
    }

    /** The server's process id (its workers are children of it). */
    public long pid() {
        return process.pid();
    }

    public boolean isRunning() {
        return process.isAlive();
    }

    /** Stops the server and its worker processes. */
    @Override
    public void close() {
        RUNNING.remove(dir, this);
        // the uvicorn worker first (SIGTERM: it finishes its requests), then the mlflow command that waits for it;
        // whatever has not exited after 10 s is killed, and waited for
        List<ProcessHandle> children = process.descendants().toList();
        children.forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
            for (ProcessHandle child : children) {
                try {
                    child.onExit().get(child.isAlive() ? 5 : 0, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    child.destroyForcibly();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    @Override
    public String toString() {
        return "MLflow server " + uri + " (" + dir + ")";
    }
}
