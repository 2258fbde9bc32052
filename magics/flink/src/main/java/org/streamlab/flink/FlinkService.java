package org.streamlab.flink;

import org.streamlab.kernel.KernelConfig;
import org.streamlab.platform.ManagedService;

/**
 * Flink for the kernel: a local MiniCluster (default) or, when {@code FLINK_REST_URL} is set, a remote
 * cluster reached over REST. Starting is lazy ({@link #ensureStarted()} on first use). This class loads no
 * Flink class until the service starts, so registering it at every kernel start costs nothing.
 */
public final class FlinkService extends ManagedService {
    public static final String NAME = "flink";
    public static final String EXTERNAL_KEY = "FLINK_REST_URL";

    private static volatile FlinkService current;

    private volatile FlinkEngine engine;

    public FlinkService(KernelConfig config) {
        super(NAME, EXTERNAL_KEY, config);
    }

    /** The service of the kernel that loaded the extension last (what {@link Flink} uses). */
    public static FlinkService current() {
        FlinkService s = current;
        if (s == null) {
            throw new org.streamlab.kernel.UserError("Flink is not registered in this kernel",
                    "the streamlab-flink module must be on the kernel's class path");
        }
        return s;
    }

    static void setCurrent(FlinkService service) {
        current = service;
    }

    @Override
    public String address() {
        FlinkEngine e = engine;
        if (e != null) {
            return e.restUrl();
        }
        return externalAddress().orElse("-");
    }

    @Override
    protected void doStart() throws Exception {
        if (externalAddress().isPresent()) {
            engine = FlinkEngine.external(externalAddress().get(), config.workspaceDir(NAME), config.howToSet(EXTERNAL_KEY));
        } else {
            engine = FlinkEngine.embedded(config.workspaceDir(NAME));
        }
    }

    @Override
    protected void doStop() throws Exception {
        FlinkEngine e = engine;
        engine = null;
        if (e != null) {
            e.close();
        }
    }

    @Override
    protected String startFailureHint() {
        return switch (mode()) {
            case EXTERNAL -> "check that the Flink REST endpoint " + externalAddress().orElse("") + " is up (curl "
                    + externalAddress().orElse("") + "/v1/config), or unset " + EXTERNAL_KEY + " to use the embedded MiniCluster";
            case EMBEDDED -> super.startFailureHint();
        };
    }

    /** Interrupt hook: cancels the jobs a cell's execute() waits on (never starts Flink). */
    void cancelWaitingExecutions() {
        FlinkEngine e = engine;
        if (e != null) {
            e.cancelWaitingExecutions();
        }
    }

    /** The running engine, starting the service if needed. */
    FlinkEngine engine() {
        ensureStarted();
        FlinkEngine e = engine;
        if (e == null) {
            throw new org.streamlab.kernel.UserError("Flink stopped while in use", "run %services start flink");
        }
        return e;
    }

    KernelConfig config() { return config; }
}
