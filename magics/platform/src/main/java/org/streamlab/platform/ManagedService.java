package org.streamlab.platform;

import java.util.Map;
import java.util.Optional;
import org.streamlab.kernel.KernelConfig;
import org.streamlab.kernel.UserError;

/**
 * Lifecycle of one engine (Kafka, Flink, Spark, ClickHouse): started lazily on first use, embedded on
 * loopback unless its external-address key is configured, stopped with the kernel. Subclasses implement
 * {@link #doStart} and {@link #doStop}; this class owns state, thread-safety and readable failures.
 */
public abstract class ManagedService {
    private final String name;
    private final String externalKey;
    protected final KernelConfig config;
    private volatile ServiceState state = ServiceState.STOPPED;
    private volatile String lastError;
    private Map<String, String> startOptions = Map.of();

    /**
     * @param name        short lower-case name used by {@code %services} (e.g. "kafka")
     * @param externalKey the configuration key that, when set, selects external mode (e.g. KAFKA_BOOTSTRAP_SERVERS)
     */
    protected ManagedService(String name, String externalKey, KernelConfig config) {
        this.name = name;
        this.externalKey = externalKey;
        this.config = config;
    }

    public final String name() { return name; }

    public final String externalKey() { return externalKey; }

    public final ServiceMode mode() {
        return externalAddress().isPresent() ? ServiceMode.EXTERNAL : ServiceMode.EMBEDDED;
    }

    /** The configured external address, if any. */
    public final Optional<String> externalAddress() { return config.get(externalKey); }

    public final ServiceState state() { return state; }

    /** Why the last start failed, or null. */
    public final String lastError() { return lastError; }

    /** Where clients reach the service now (or would, in external mode); "-" when not known yet. */
    public abstract String address();

    /** Options given by {@code %services start NAME --option value}, e.g. brokers=3. */
    protected final Map<String, String> startOptions() { return startOptions; }

    /** Starts the service if it is not running. Every magic calls this before using the engine. */
    public final synchronized void ensureStarted() {
        if (state == ServiceState.RUNNING) {
            return;
        }
        state = ServiceState.STARTING;
        try {
            doStart();
            state = ServiceState.RUNNING;
            lastError = null;
        } catch (Throwable e) {
            state = ServiceState.FAILED;
            lastError = rootMessage(e);
            try {
                doStop();
            } catch (Throwable ignored) {
                // best effort cleanup of a half-started engine
            }
            if (e instanceof UserError ue) {
                throw ue;
            }
            if (org.streamlab.kernel.Throwables.interrupted(e)) {
                throw new UserError(name + " did not finish starting: the cell was interrupted",
                        "run the cell again to start " + name, e);
            }
            throw new UserError(startFailureMessage(), startFailureHint(), e);
        }
    }

    public final synchronized void start(Map<String, String> options) {
        if (state == ServiceState.RUNNING && !options.isEmpty() && !options.equals(startOptions)) {
            stop();
        }
        startOptions = Map.copyOf(options);
        ensureStarted();
    }

    public final synchronized void stop() {
        if (state == ServiceState.STOPPED) {
            return;
        }
        try {
            doStop();
        } catch (Exception e) {
            throw new UserError(name + " did not stop cleanly: " + rootMessage(e), null, e);
        } finally {
            state = ServiceState.STOPPED;
        }
    }

    public final synchronized void restart(Map<String, String> options) {
        stop();
        start(options);
    }

    protected abstract void doStart() throws Exception;

    protected abstract void doStop() throws Exception;

    private String startFailureMessage() {
        return switch (mode()) {
            case EXTERNAL -> name + " at " + externalAddress().orElse("?") + " did not answer: " + lastError;
            case EMBEDDED -> "the embedded " + name + " did not start: " + lastError;
        };
    }

    /** What to do when the service cannot start; subclasses may say more. */
    protected String startFailureHint() {
        return switch (mode()) {
            case EXTERNAL -> "check that " + externalAddress().orElse("") + " is reachable, or unset "
                    + externalKey + " to use the embedded " + name;
            case EMBEDDED -> "run %services restart " + name + ", or point to a running one: " + config.howToSet(externalKey);
        };
    }

    /** One readable line for a failure: the deepest cause's message, without Java class names. */
    public static String rootMessage(Throwable e) {
        return org.streamlab.kernel.Throwables.readableMessage(e);
    }

}
