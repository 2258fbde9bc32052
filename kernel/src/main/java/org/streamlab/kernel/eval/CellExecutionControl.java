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
 * Runs snippets in the kernel's own JVM, so magics, renderers and user code share live objects.
 * Each snippet runs on a fresh thread that an interrupt can stop; the snippet's value is kept as a
 * live object (see {@link LiveValues}) instead of being turned into a string. The bytecode of every
 * class JShell loads is remembered, so it can be shipped to a remote cluster later.
 */
final class CellExecutionControl extends LocalExecutionControl {
    private static final long STOP_GRACE_MILLIS = 50;

    private volatile Thread running;
    private volatile boolean stopRequested;
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
        Object[] result = new Object[1];
        Throwable[] failure = new Throwable[1];
        stopRequested = false;
        Thread worker = new Thread(() -> {
            try {
                result[0] = doitMethod.invoke(null);
            } catch (Throwable t) {
                failure[0] = t;
            }
        }, "streamlab-cell");
        worker.setContextClassLoader(doitMethod.getDeclaringClass().getClassLoader());
        worker.setDaemon(true);
        running = worker;
        worker.start();
        try {
            while (worker.isAlive()) {
                try {
                    worker.join();
                } catch (InterruptedException e) {
                    stop(); // the waiting thread was interrupted: treat it as a request to stop the cell
                }
            }
        } finally {
            running = null;
        }
        if (stopRequested) {
            throw new StoppedException();
        }

        if (failure[0] != null) {
            Throwable t = failure[0];
            if (t instanceof InvocationTargetException ite && ite.getCause() instanceof ThreadDeath) {
                throw new StoppedException();
            }
            if (t instanceof Exception e) {
                throw e;
            }
            throw new InvocationTargetException(t);
        }
        return LiveValues.park(result[0]);
    }

    /** Interrupts the running snippet; if it ignores the interrupt, stops its thread. */
    @Override
    @SuppressWarnings("deprecation")
    public void stop() {
        Thread t = running;
        if (t == null) {
            return;
        }
        stopRequested = true;
        t.interrupt();
        try {
            t.join(STOP_GRACE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
            t.stop(); // Java 17: the only way to end a busy loop that never checks for interrupts
        }
    }

    /** True once after a stop ended a snippet; the evaluator then reports an interrupt, not an error. */
    boolean stopRequestedAndReset() {
        boolean was = stopRequested;
        stopRequested = false;
        return was;
    }

    boolean isRunning() {
        return running != null;
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
