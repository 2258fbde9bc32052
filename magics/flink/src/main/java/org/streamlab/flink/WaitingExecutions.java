package org.streamlab.flink;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.JobListener;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The jobs whose {@code env.execute()} a cell is waiting on, so that a Jupyter interrupt cancels them: stopping the
 * cell's thread alone would leave the job running on the cluster, holding its slots. Jobs started with
 * {@code executeAsync()} belong to the learner (they return at once) and are left alone: {@code %flink cancel}.
 */
final class WaitingExecutions implements JobListener {
    private final Map<Thread, JobClient> waiting = new ConcurrentHashMap<>();

    @Override
    public void onJobSubmitted(JobClient client, Throwable failure) {
        if (client != null && calledFromExecute()) {
            waiting.put(Thread.currentThread(), client);
        }
    }

    @Override
    public void onJobExecuted(JobExecutionResult result, Throwable failure) {
        waiting.remove(Thread.currentThread());
    }

    /** Cancels every job an {@code execute()} still waits on; returns how many. */
    int cancelAll() {
        List<JobClient> clients = List.copyOf(waiting.values());
        waiting.clear();
        for (JobClient c : clients) {
            c.cancel(); // asynchronous; a job that has just finished refuses, which is fine
        }
        return clients.size();
    }

    /** execute() submits through executeAsync() and then waits; a direct executeAsync() has no execute() frame. */
    private static boolean calledFromExecute() {
        String env = StreamExecutionEnvironment.class.getName();
        return StackWalker.getInstance().walk(frames -> frames.anyMatch(
                f -> f.getClassName().equals(env) && f.getMethodName().equals("execute")));
    }
}
