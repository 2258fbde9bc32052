package org.streamlab.flink;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.runtime.client.JobStatusMessage;
import org.streamlab.kernel.UserError;
import org.streamlab.kernel.display.HtmlTable;
import org.streamlab.kernel.magic.MagicContext;

/** {@code %flink jobs} and {@code %flink cancel JOB_ID}. */
final class JobsCommand {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    private JobsCommand() {}

    static Object jobs(FlinkService service) throws Exception {
        if (notStartedEmbedded(service)) {
            return new org.streamlab.kernel.display.PlainText("no Flink jobs: the embedded Flink is not started (it starts with the first %%flinksql or Flink.env())");
        }
        FlinkEngine engine = service.engine();
        List<JobStatusMessage> jobs = listJobs(engine);
        HtmlTable t = new HtmlTable(List.of("job id", "name", "state", "started", "duration"));
        long now = System.currentTimeMillis();
        for (JobStatusMessage j : jobs) {
            String duration = j.getJobState().isGloballyTerminalState() ? "-" : formatDuration(now - j.getStartTime());
            t.addRow(List.of(j.getJobId().toHexString(), j.getJobName().replaceAll("\\s+", " "), j.getJobState().name(),
                    TIME.format(Instant.ofEpochMilli(j.getStartTime())), duration));
        }
        return t.caption("Flink jobs at " + engine.restUrl());
    }

    static org.streamlab.kernel.display.PlainText cancel(FlinkService service, MagicContext context, String rawId) throws Exception {
        JobID id;
        try {
            id = JobID.fromHexString(rawId.strip());
        } catch (RuntimeException e) {
            throw new UserError("'" + rawId + "' is not a Flink job id (32 hex digits)", "copy an id from %flink jobs");
        }
        if (notStartedEmbedded(service)) {
            throw new UserError("no job with id " + id + ": the embedded Flink is not started", "%flink jobs lists the jobs");
        }
        FlinkEngine engine = service.engine();
        JobStatusMessage job = null;
        for (JobStatusMessage j : listJobs(engine)) {
            if (j.getJobId().equals(id)) {
                job = j;
            }
        }
        if (job == null) {
            throw new UserError("no job with id " + id + " on the Flink cluster at " + engine.restUrl(), "%flink jobs lists the jobs");
        }
        if (job.getJobState().isGloballyTerminalState()) {
            return new org.streamlab.kernel.display.PlainText("job " + id + " (" + job.getJobName().replaceAll("\\s+", " ") + ") already ended: " + job.getJobState());
        }
        engine.cancel(id);
        JobStatus end = engine.awaitTerminal(id, Duration.ofSeconds(30));
        return new org.streamlab.kernel.display.PlainText("job " + id + " (" + job.getJobName().replaceAll("\\s+", " ") + "): " + (end == null ? "cancel requested" : end.name()));
    }

    private static boolean notStartedEmbedded(FlinkService service) {
        return service.externalAddress().isEmpty() && service.state() != org.streamlab.platform.ServiceState.RUNNING;
    }

    private static List<JobStatusMessage> listJobs(FlinkEngine engine) {
        try {
            return engine.jobs();
        } catch (Exception e) {
            throw new UserError("cannot list the jobs of the Flink cluster at " + engine.restUrl() + ": "
                    + org.streamlab.platform.ManagedService.rootMessage(e), "check that the cluster is up: %services");
        }
    }

    static String formatDuration(long millis) {
        Duration d = Duration.ofMillis(Math.max(0, millis));
        if (d.toHours() > 0) {
            return d.toHours() + "h " + d.toMinutesPart() + "m";
        }
        if (d.toMinutes() > 0) {
            return d.toMinutes() + "m " + d.toSecondsPart() + "s";
        }
        return String.format("%.1f s", millis / 1000.0);
    }
}
