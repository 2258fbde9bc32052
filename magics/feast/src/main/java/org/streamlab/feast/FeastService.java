package org.streamlab.feast;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.streamlab.kernel.KernelConfig;
import org.streamlab.kernel.UserError;
import org.streamlab.platform.ChildProcesses;
import org.streamlab.platform.ManagedService;
import org.streamlab.platform.ServiceMode;

/**
 * Feast for the kernel. The feature repository ({@code feature_store.yaml}, the definitions, the registry and the
 * sqlite online store) is a folder: {@code FEAST_REPO}, else {@code workspace/feast/repo}, created with a local
 * provider configuration on first use. The feast CLI (PyPI's feast) runs there as a child process for apply,
 * materialize and training sets.
 *
 * <p>The service itself is the feature server that answers online reads over HTTP. Embedded (default): {@code feast
 * serve} on 127.0.0.1 as a child process of the kernel, started by the first online read. External: the server at
 * {@code FEAST_URL} (e.g. one started by {@code feast serve} on the same repository).
 */
public final class FeastService extends ManagedService {
    public static final String URL_KEY = "FEAST_URL";
    public static final String REPO_KEY = "FEAST_REPO";
    public static final String START_TIMEOUT_KEY = "FEAST_START_TIMEOUT_MS";
    static final String PROJECT = "streamlab";
    static final String DEFAULT_STORE_YAML = """
            # Written by StreamLab when the repository was created; edit freely (feast apply reads it).
            project: %s
            registry: data/registry.db
            provider: local
            # DuckDB reads the Parquet sources and does the point-in-time join of training sets
            offline_store:
              type: duckdb
            online_store:
              type: sqlite
              path: data/online_store.db
            entity_key_serialization_version: 3
            """.formatted(PROJECT);

    private volatile FeastBinary binary;
    private volatile FeatureServer server;
    private volatile FeastClient client;
    /** feast commands running now, killed by an interrupt (also when a Java cell started them). */
    private final java.util.Set<Process> running = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public FeastService(KernelConfig config) {
        super("feast", URL_KEY, config);
    }

    @Override
    public String address() {
        FeatureServer s = server;
        if (s != null) {
            return s.url() + " (feast serve, pid " + s.pid() + ", repository " + repoIfKnown() + ")";
        }
        return externalAddress().orElse("-");
    }

    private String repoIfKnown() {
        return config.get(REPO_KEY).orElse(config.workspace().resolve("feast/repo").toString());
    }

    // ---- the repository and the CLI ----

    /** The feature repository folder, created with a default feature_store.yaml if it has none. */
    public Path repo() {
        Path repo = config.get(REPO_KEY).map(Path::of).orElseGet(() -> config.workspaceDir("feast").resolve("repo"))
                .toAbsolutePath().normalize();
        try {
            Files.createDirectories(repo.resolve("data"));
            Path yaml = repo.resolve("feature_store.yaml");
            if (!Files.exists(yaml)) {
                Files.writeString(yaml, DEFAULT_STORE_YAML, StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UserError("cannot create the feature repository " + repo + ": " + e.getMessage(),
                    "check the folder's permissions, or set " + REPO_KEY + " to another folder");
        }
        return repo;
    }

    /** Where sources' data files go: {@code REPO/data} (relative paths in definitions resolve against the repo). */
    public Path dataDir() { return repo().resolve("data"); }

    private Path feastDir(String name) { return config.workspaceDir("feast").resolve(name); }

    private Path runDir() {
        Path run = feastDir("run");
        try {
            Files.createDirectories(run);
        } catch (IOException e) {
            throw new UserError("cannot create " + run + ": " + e.getMessage(), "check the workspace folder's permissions");
        }
        return run;
    }

    FeastBinary binary() {
        FeastBinary b = binary;
        if (b == null) {
            b = FeastBinary.locate(config);
            binary = b;
        }
        return b;
    }

    /**
     * Runs {@code feast ARGS} in the repository; its output lines go to {@code echo} as they come. A failure is a
     * UserError with Feast's own message; the full output stays in workspace/feast/logs.
     */
    public String cli(List<String> args, Consumer<String> echo, BooleanSupplier interrupted) {
        List<String> command = new ArrayList<>();
        command.add(binary().feast().toString());
        command.addAll(args);
        String what = "feast " + (args.isEmpty() ? "" : args.get(0));
        return runChecked(command, what, echo, interrupted).output();
    }

    private FeastProcess.Result runChecked(List<String> command, String what, Consumer<String> echo, BooleanSupplier interrupted) {
        Path log = feastDir("logs").resolve(what.replaceAll("[^A-Za-z0-9_.-]+", "-") + ".log");
        FeastProcess.Result r;
        try {
            r = FeastProcess.run(command, repo(), runDir(), log, echo, interrupted, running);
        } catch (IOException e) {
            throw new UserError("cannot run " + what + ": " + e.getMessage(), FeastBinary.INSTALL_HINT);
        }
        if (r.exitCode() != 0) {
            String line = FeastProcess.failureLine(r.output());
            if (line.startsWith("SystemExit: USER: ") || line.startsWith("USER: ")) {
                String[] parts = line.substring(line.indexOf("USER: ") + 6).split("\\|", 2);
                throw new UserError(parts[0], parts.length > 1 ? parts[1] : null);
            }
            throw new UserError(what + " failed: " + line, hint(line) + "the whole output is in " + r.log());
        }
        return r;
    }

    private static String hint(String failure) {
        if (failure.contains("FeatureViewNotFound") || failure.contains("does not exist in project")) {
            return "apply the definitions first (%%feast apply); ";
        }
        if (failure.contains("FileNotFoundError") || failure.contains("No files found") || failure.contains("IO Error")) {
            return "a source's path is resolved against the repository folder; write the data there first; ";
        }
        if (failure.contains("SyntaxError") || failure.contains("NameError") || failure.contains("ImportError")) {
            return "fix the feature definitions; ";
        }
        return "";
    }

    /** Writes {@code definitions} as {@code file} in the repository and runs {@code feast apply}. */
    public String apply(String definitions, String file, Consumer<String> echo, BooleanSupplier interrupted) {
        if (!file.matches("[A-Za-z0-9_]+\\.py")) {
            throw new UserError("the definitions file must be a Python file name in the repository, got: " + file,
                    "letters, digits and _ then .py, e.g. %%feast apply --file features.py");
        }
        try {
            Files.writeString(repo().resolve(file), definitions, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UserError("cannot write " + repo().resolve(file) + ": " + e.getMessage(), null);
        }
        return applyRepo(echo, interrupted);
    }

    /** {@code feast apply} on the repository as it is. */
    public String applyRepo(Consumer<String> echo, BooleanSupplier interrupted) {
        String out = cli(List.of("apply"), echo, interrupted);
        FeatureServer s = server;
        if (s != null && s.isAlive()) {
            // the kernel's own server re-reads the registry every REGISTRY_TTL_SECONDS: wait one refresh so the next
            // read sees what was just applied. A server at FEAST_URL (s is null then) refreshes on its own schedule.
            sleep(FeatureServer.REGISTRY_TTL_SECONDS * 1000L + 500);
        }
        return out;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Builds a training set with the module's Python helper (FeatureStore.get_historical_features). */
    public TrainingSet trainingSet(TrainingRequest request, Consumer<String> echo, BooleanSupplier interrupted) {
        // relative paths resolve against the repository, as sources' paths in the definitions do
        Path entities = repo().resolve(request.entities()).normalize();
        if (!Files.exists(entities)) {
            throw new UserError("entity rows not found: " + entities, "write them first, e.g. spark.table(\"labels\").write()"
                    + ".mode(\"overwrite\").parquet(path)");
        }
        Path out = request.out() != null ? repo().resolve(request.out()).normalize() : feastDir("training").resolve("training_set.parquet");
        Path json = feastDir("training").resolve(out.getFileName() + ".json");
        Path helper = helperScript();
        List<String> command = new ArrayList<>(List.of(binary().python().toString(), helper.toString(),
                "--repo", repo().toString(), "--entities", entities.toString(), "--out", out.toString(), "--json", json.toString(),
                "--timestamp-column", request.timestampColumn()));
        if (request.featureService() != null) {
            command.addAll(List.of("--feature-service", request.featureService()));
        } else {
            command.addAll(List.of("--features", String.join(",", request.features())));
        }
        if (request.fullFeatureNames()) {
            command.add("--full-feature-names");
        }
        try {
            Files.createDirectories(out.getParent());
            Files.createDirectories(json.getParent());
            Files.deleteIfExists(json);
        } catch (IOException e) {
            throw new UserError("cannot prepare " + out.getParent() + ": " + e.getMessage(), null);
        }
        runChecked(command, "feast training set", echo, interrupted);
        return readTrainingSet(json);
    }

    static TrainingSet readTrainingSet(Path json) {
        try {
            JsonNode root = FeastClient.JSON.readTree(json.toFile());
            List<String> columns = new ArrayList<>();
            root.path("columns").forEach(c -> columns.add(c.asText()));
            List<String> types = new ArrayList<>();
            root.path("types").forEach(t -> types.add(t.asText()));
            List<List<Object>> rows = new ArrayList<>();
            for (JsonNode r : root.path("rows")) {
                List<Object> row = new ArrayList<>();
                r.forEach(v -> row.add(FeastClient.javaValue(v)));
                rows.add(row);
            }
            return new TrainingSet(Path.of(root.path("out").asText()), columns, types, rows, root.path("row_count").asLong());
        } catch (IOException e) {
            throw new UserError("the training-set helper wrote no readable result (" + json + "): " + e.getMessage(), null);
        }
    }

    /** The helper script, copied out of the jar into workspace/feast/run (refreshed every kernel). */
    private Path helperScript() {
        Path target = runDir().resolve("training_set.py");
        try (InputStream in = FeastService.class.getResourceAsStream("training_set.py")) {
            if (in == null) {
                throw new UserError("the streamlab-feast jar lacks training_set.py", "rebuild the module");
            }
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UserError("cannot write " + target + ": " + e.getMessage(), null);
        }
        return target;
    }

    /** Kills the feast commands running now (the kernel's interrupt hook): their cell ends with "interrupted". */
    void killRunningCommands() {
        for (Process p : List.copyOf(running)) {
            // out of the set first: FeastProcess.run tells "interrupted" from "killed from outside" by it
            if (running.remove(p)) {
                ChildProcesses.killTree(p, 2_000);
            }
        }
    }

    // ---- the feature server ----

    @Override
    protected void doStart() throws Exception {
        if (mode() == ServiceMode.EXTERNAL) {
            String url = externalAddress().orElseThrow();
            FeastClient c = new FeastClient(url, "the Feast feature server at " + url + " (" + URL_KEY + ")",
                    "start it (feast serve -h HOST -p PORT in its feature repository) or fix the address: " + config.howToSet(URL_KEY)
                            + "; unset " + URL_KEY + " to let the kernel start one", Duration.ofSeconds(60));
            c.requireHealthy();
            client = c;
            return;
        }
        long timeout = startTimeout();
        FeatureServer s = FeatureServer.start(binary(), repo(), runDir(), feastDir("logs").resolve("feature-server.log"), timeout,
                () -> Thread.currentThread().isInterrupted());
        server = s;
        client = new FeastClient(s.url(), "the kernel's Feast feature server (feast serve at " + s.url() + ", pid " + s.pid() + ")",
                "run %services restart feast; its log is " + s.log(), Duration.ofSeconds(60));
    }

    private long startTimeout() {
        String raw = config.get(START_TIMEOUT_KEY, "90000");
        try {
            return Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw new UserError(START_TIMEOUT_KEY + " must be a number of milliseconds, got: " + raw, "e.g. 90000, or unset it");
        }
    }

    @Override
    protected void doStop() {
        FeatureServer s = server;
        server = null;
        client = null;
        if (s != null) {
            s.stop();
        }
    }

    @Override
    protected String startFailureHint() {
        return mode() == ServiceMode.EXTERNAL ? super.startFailureHint()
                : "see " + feastDir("logs").resolve("feature-server.log") + "; run %services restart feast";
    }

    /**
     * The client of the running feature server: starts it if needed, and starts the embedded one again (with a note)
     * if it has exited since.
     */
    public FeastClient client() {
        ensureStarted();
        FeatureServer s = server;
        if (s != null && !s.isAlive()) {
            int code = s.exitValue();
            synchronized (this) {
                if (server == s) {
                    stop();
                    System.err.println("the Feast feature server (pid " + s.pid() + ") had exited (code " + code
                            + "); starting it again. Its log: " + s.log());
                }
            }
            ensureStarted();
        }
        FeastClient c = client;
        if (c == null) {
            throw new UserError("the Feast feature server is not running", "run %feast serve");
        }
        return c;
    }

    /** The feature server's address (starts it if needed). */
    public String url() { return client().url(); }

    /** The embedded server's process id, or -1 (external mode, or not started). */
    public long serverPid() {
        FeatureServer s = server;
        return s == null ? -1 : s.pid();
    }

    public OnlineFeatures onlineFeatures(OnlineRequest request) {
        return client().onlineFeatures(request);
    }
}
