package org.streamlab.spark;

import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.Map;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.DefaultConfiguration;
import org.apache.logging.log4j.core.config.LoggerConfig;

/**
 * Keeps Spark from filling cells with INFO lines. When nobody configured log4j 2 (it runs on its built-in
 * default, which shows ERROR only), Spark installs its own INFO-level console profile on first use. We let
 * Spark do that first, silently, and then put the root back to the level it had (ERROR) and the Spark, Hadoop,
 * Delta and Parquet loggers to ERROR. A logging configuration chosen by the kernel or the user is left alone.
 */
final class Logs {
    private static final String[] NOISY = {
        "org.apache.spark", "org.apache.hadoop", "io.delta", "org.sparkproject", "org.apache.parquet",
        "org.apache.orc", "org.apache.hive", "org.apache.zookeeper", "org.apache.spark.sql.delta",
    };

    private Logs() {}

    static void quietSpark() {
        try {
            boolean unconfigured = contexts().stream().anyMatch(Logs::unconfigured);
            Level rootBefore = LogManager.getRootLogger().getLevel();
            // Spark's own logging set-up, without its "Using Spark's default log4j profile" line
            new org.apache.spark.SparkConf(false).initializeLogIfNecessary(false, true);
            if (unconfigured) {
                Level root = rootBefore == null || rootBefore.isLessSpecificThan(Level.WARN) ? Level.WARN : rootBefore;
                contexts().forEach(ctx -> quiet(ctx, root));
            }
        } catch (LinkageError | RuntimeException ignored) {
            // log4j-core absent or another backend: leave logging as it is
        }
    }

    private static Collection<LoggerContext> contexts() {
        Map<Object, LoggerContext> contexts = new IdentityHashMap<>();
        for (Object c : new Object[] {LogManager.getContext(false), LogManager.getContext(true),
                LogManager.getContext(Logs.class.getClassLoader(), false)}) {
            if (c instanceof LoggerContext lc) {
                contexts.put(lc, lc);
            }
        }
        return contexts.values();
    }

    private static boolean unconfigured(LoggerContext ctx) {
        Configuration cfg = ctx.getConfiguration();
        LoggerConfig root = cfg.getRootLogger();
        return root.getAppenders().isEmpty() || (root.getAppenders().size() == 1 && cfg instanceof DefaultConfiguration);
    }

    private static void quiet(LoggerContext ctx, Level rootLevel) {
        Configuration cfg = ctx.getConfiguration();
        for (String name : NOISY) {
            LoggerConfig lc = cfg.getLoggerConfig(name);
            if (lc.getName().equals(name)) {
                lc.setLevel(Level.ERROR);
            } else {
                cfg.addLogger(name, new LoggerConfig(name, Level.ERROR, true));
            }
        }
        cfg.getRootLogger().setLevel(rootLevel);
        ctx.updateLoggers();
    }
}
