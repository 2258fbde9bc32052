package org.streamlab.spark;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.spark.sql.SparkSession;
import org.streamlab.kernel.KernelConfig;
import org.streamlab.platform.ManagedService;

/**
 * Spark with Delta Lake. Embedded (default): a {@code local[*]} SparkSession in the kernel's JVM, warehouse and
 * table catalog under {@code workspace/spark}, so Delta tables survive a kernel restart. External: the
 * standalone master named by {@code SPARK_MASTER} (e.g. {@code spark://127.0.0.1:7077}).
 *
 * <p>This class must stay cheap to load: every Spark object lives in {@link SparkEngine}, which is only
 * loaded by {@link #doStart()}.
 */
public final class SparkService extends ManagedService {
    public static final String MASTER_KEY = "SPARK_MASTER";
    /** Extra Spark settings, {@code key=value} pairs separated by {@code ;} (applied last, override defaults). */
    public static final String CONF_KEY = "SPARK_CONF";

    private static volatile SparkService current;

    private final List<Runnable> firstStartHooks = new CopyOnWriteArrayList<>();
    private volatile boolean startedOnce;
    private volatile SparkEngine engine;

    public SparkService(KernelConfig config) {
        super("spark", MASTER_KEY, config);
    }

    /** The service of the kernel that loaded the Spark extension last (used by the {@link Spark} facade). */
    public static SparkService current() { return current; }

    static void makeCurrent(SparkService service) { current = service; }

    /** Runs {@code hook} once, right after the first successful start (e.g. registering Spark-typed renderers). */
    void afterFirstStart(Runnable hook) { firstStartHooks.add(hook); }

    @Override
    public String address() {
        SparkEngine e = engine;
        if (e != null) {
            return e.master();
        }
        return externalAddress().orElse("local[*]");
    }

    @Override
    protected void doStart() throws Exception {
        engine = SparkEngine.start(config, externalAddress().orElse(null), config.get(CONF_KEY).orElse(null));
        if (!startedOnce) {
            startedOnce = true;
            for (Runnable hook : firstStartHooks) {
                hook.run();
            }
        }
    }

    @Override
    protected void doStop() throws Exception {
        SparkEngine e = engine;
        engine = null;
        if (e != null) {
            e.stop();
        }
    }

    /** The running session, starting Spark first if needed. */
    /** Cancels every running Spark job, if Spark is running (an interrupt from the notebook). */
    public void cancelAllJobs() {
        if (state() == org.streamlab.platform.ServiceState.RUNNING) {
            try {
                session().sparkContext().cancelAllJobs();
            } catch (RuntimeException e) {
                // the session is stopping: nothing left to cancel
            }
        }
    }

    public SparkSession session() {
        return engine().session();
    }

    /** The running engine, starting Spark first if needed. */
    SparkEngine engine() {
        ensureStarted();
        SparkEngine e = engine;
        if (e == null) {
            throw new IllegalStateException("spark stopped while in use");
        }
        return e;
    }
}
