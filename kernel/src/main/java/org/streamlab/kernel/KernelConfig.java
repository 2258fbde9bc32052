package org.streamlab.kernel;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The kernel's configuration, read in one place. A key such as {@code KAFKA_BOOTSTRAP_SERVERS} is looked up,
 * first match wins, in: session overrides (set by magics such as {@code %services}), environment variables,
 * JVM system properties, then {@code streamlab.properties} in the workspace folder.
 *
 * <p>The workspace folder holds the data of embedded services (Kafka logs, Delta tables, ClickHouse data,
 * Flink checkpoints) so it survives a kernel restart: {@code STREAMLAB_WORKSPACE}, or {@code workspace/}
 * under the directory the kernel was started in (the notebook's folder).
 */
public final class KernelConfig {
    public static final String WORKSPACE = "STREAMLAB_WORKSPACE";
    public static final String PROPERTIES_FILE = "streamlab.properties";

    private final Map<String, String> environment;
    private final Properties fileProperties;
    private final Path workspace;
    private final Map<String, String> overrides = new ConcurrentHashMap<>();

    private KernelConfig(Map<String, String> environment, Path workspace, Properties fileProperties) {
        this.environment = Map.copyOf(environment);
        this.workspace = workspace;
        this.fileProperties = fileProperties;
    }

    /** Configuration of this process: its environment, system properties and workspace file. */
    public static KernelConfig fromEnvironment() {
        return load(System.getenv(), Path.of("").toAbsolutePath());
    }

    public static KernelConfig load(Map<String, String> environment, Path workingDirectory) {
        String ws = environment.get(WORKSPACE);
        if (ws == null) {
            ws = System.getProperty(WORKSPACE);
        }
        Path workspace = (ws == null || ws.isBlank() ? workingDirectory.resolve("workspace") : Path.of(ws))
                .toAbsolutePath().normalize();
        Properties props = new Properties();
        Path file = workspace.resolve(PROPERTIES_FILE);
        if (Files.isRegularFile(file)) {
            try (Reader r = Files.newBufferedReader(file)) {
                props.load(r);
            } catch (IOException e) {
                throw new UserError("cannot read " + file + ": " + e.getMessage(), "fix or delete the file");
            }
        }
        return new KernelConfig(environment, workspace, props);
    }

    /** The workspace folder (created on first call). */
    public Path workspace() {
        try {
            Files.createDirectories(workspace);
        } catch (IOException e) {
            throw new UserError("cannot create workspace folder " + workspace + ": " + e.getMessage(),
                    "set " + WORKSPACE + " to a writable folder");
        }
        return workspace;
    }

    /** A sub-folder of the workspace for one service's data, created if missing. */
    public Path workspaceDir(String name) {
        Path dir = workspace().resolve(name);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UserError("cannot create " + dir + ": " + e.getMessage(), "check the workspace folder's permissions");
        }
        return dir;
    }

    public Optional<String> get(String key) {
        String v = overrides.get(key);
        if (v == null) {
            v = environment.get(key);
        }
        if (v == null) {
            v = System.getProperty(key);
        }
        if (v == null) {
            v = fileProperties.getProperty(key);
        }
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.strip());
    }

    public String get(String key, String defaultValue) {
        return get(key).orElse(defaultValue);
    }

    /** A session override (lost on restart); null removes it. */
    public void set(String key, String value) {
        if (value == null) {
            overrides.remove(key);
        } else {
            overrides.put(key, value);
        }
    }

    /** Where a user sets {@code key}: used in error messages that tell how to configure something. */
    public String howToSet(String key) {
        return "set the environment variable " + key + " or add " + key + "=... to " + workspace.resolve(PROPERTIES_FILE);
    }
}
