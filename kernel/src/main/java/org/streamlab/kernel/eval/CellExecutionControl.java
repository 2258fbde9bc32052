package org.streamlab.kernel.eval;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import jdk.jshell.execution.LocalExecutionControl;
import jdk.jshell.spi.ExecutionControl;
import jdk.jshell.spi.ExecutionControlProvider;
import jdk.jshell.spi.ExecutionEnv;

/**
 * Runs snippets in the kernel's own JVM, on the kernel's cell thread, so magics, renderers and user code
 * share live objects and thread-locals. An interrupt interrupts the snippet and, if it does not stop, stops
 * it with ThreadDeath, which is caught here so the cell thread lives on. The snippet's value is kept as a
 * live object (see {@link LiveValues}) instead of being turned into a string. The bytecode of every
 * class JShell loads is remembered, so it can be shipped to a remote cluster later.
 */
final class CellExecutionControl extends LocalExecutionControl {
    private static final long STOP_GRACE_MILLIS = 50;

    private final Object lock = new Object();
    private volatile Thread running;
    private volatile boolean stopRequested;
    /** The cell whose snippets run now (its generation), 0 between cells; guarded by {@link #lock}. */
    private long cellGeneration;
    /** The cell a stop was asked for: its snippets do not start; forgotten when another cell begins or it ends. */
    private long stopForGeneration;
    private final Map<String, byte[]> loadedClasses = new ConcurrentHashMap<>();

    @Override
    public void load(ClassBytecodes[] cbcs) throws ClassInstallException, NotImplementedException, EngineTerminationException {
        super.load(cbcs);
        for (ClassBytecodes c : cbcs) {
            loadedClasses.put(c.name(), c.bytecodes());
        }
    }

    @Override
    public void redefine(ClassBytecodes[] cbcs) throws ClassInstallException, NotImplementedException, EngineTerminationException {
        super.redefine(cbcs);
        for (ClassBytecodes c : cbcs) {
            loadedClasses.put(c.name(), c.bytecodes());
        }
    }

    /** Bytecode of the classes cells defined, by binary name. */
    Map<String, byte[]> loadedClasses() {
        return Map.copyOf(loadedClasses);
    }

    @Override
    protected String invoke(Method doitMethod) throws Exception {
        // Cells run on the kernel's cell thread itself (not a thread per cell), so thread-locals that
        // libraries set up (Calcite's metadata providers in Flink's planner, Spark's job properties) are the
        // same for magics and for Java cells.
        Thread self = Thread.currentThread();
        self.setContextClassLoader(doitMethod.getDeclaringClass().getClassLoader());
        stopRequested = false;
        synchronized (lock) {
            if (cellGeneration != 0 && stopForGeneration == cellGeneration) {
                // the stop came while the cell was compiling (JShell's stop only reaches a running snippet, and a
                // busy loop would never see the cell thread's interrupt): the snippet does not start at all
                stopRequested = true;
                throw new StoppedException();
            }
        }
        Object result = null;
        Throwable failure = null;
        try {
            try {
                synchronized (lock) {
                    running = self;
                }
                result = doitMethod.invoke(null);
            } catch (Throwable t) {
                failure = t;
            } finally {
                synchronized (lock) {
                    running = null;
                }
            }
        } catch (ThreadDeath lateStop) {
            // a stop that arrived as the snippet was ending
            failure = lateStop;
            synchronized (lock) {
                running = null;
            }
        }
        Thread.interrupted(); // an interrupt meant for the snippet must not reach the kernel's own code
        if (stopRequested || failure instanceof ThreadDeath
                || (failure instanceof InvocationTargetException ite && ite.getCause() instanceof ThreadDeath)) {
            throw new StoppedException();
        }
        if (failure != null) {
            if (failure instanceof Exception e) {
                throw e;
            }
            throw new InvocationTargetException(failure);
        }
        return LiveValues.park(result);
    }

    /** Snippets from now on belong to cell {@code generation}; a stop asked for an earlier cell is forgotten. */
    void beginCell(long generation) {
        synchronized (lock) {
            if (cellGeneration != generation) {
                cellGeneration = generation;
                stopForGeneration = 0;
            }
        }
    }

    /** Cell {@code generation} ended: a stop asked for it must not reach the next cell. */
    void endCell(long generation) {
        synchronized (lock) {
            if (cellGeneration == generation) {
                cellGeneration = 0;
                stopForGeneration = 0;
            }
        }
    }

    /** JShell's own stop: stops the cell whose snippets run now. */
    @Override
    public void stop() {
        long generation;
        synchronized (lock) {
            generation = cellGeneration;
        }
        stop(generation);
    }

    /**
     * Stops cell {@code generation}: a snippet of it that runs is interrupted and, if it is still running after a
     * short grace, stopped; if none runs (the cell is compiling), its next snippet does not start. A stop for a cell
     * that is not the current one (it ended, or has not begun) does nothing.
     */
    @SuppressWarnings("deprecation")
    void stop(long generation) {
        Thread t;
        synchronized (lock) {
            if (generation == 0 || generation != cellGeneration) {
                return;
            }
            stopForGeneration = generation;
            t = running;
            if (t == null) {
                return;
            }
            stopRequested = true;
        }
        t.interrupt();
        long deadline = System.nanoTime() + STOP_GRACE_MILLIS * 1_000_000;
        while (System.nanoTime() < deadline) {
            synchronized (lock) {
                if (running != t || cellGeneration != generation) {
                    return;
                }
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        synchronized (lock) {
            if (running == t && cellGeneration == generation) {
                t.stop(); // Java 17: the only way to end a busy loop that never checks for interrupts
            }
        }
    }

    /** True once after a stop ended a snippet; the evaluator then reports an interrupt, not an error. */
    boolean stopRequestedAndReset() {
        boolean was = stopRequested;
        stopRequested = false;
        return was;
    }

    static final class Provider implements ExecutionControlProvider {
        private final CellExecutionControl control = new CellExecutionControl();

        CellExecutionControl control() {
            return control;
        }

        @Override
        public String name() {
            return "streamlab";
        }

        @Override
        public ExecutionControl generate(ExecutionEnv env, Map<String, String> parameters) {
            return control;
        }
    }
}
