package org.streamlab.pipelines;

import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * Counts dead letters twice, per reason: as a Flink metric ({@code deadLetters.<REASON>} under the operator's metric
 * group, for dashboards) and as an accumulator ({@link BadEventReason#counterName()}, readable from the finished
 * job's result). Made in a function's {@code open()}.
 */
public final class DeadLetterCounters {
    private final Map<BadEventReason, Counter> metrics = new EnumMap<>(BadEventReason.class);
    private final Map<BadEventReason, LongCounter> accumulators = new EnumMap<>(BadEventReason.class);

    public DeadLetterCounters(RuntimeContext context, Set<BadEventReason> reasons) {
        MetricGroup group = context.getMetricGroup().addGroup("deadLetters");
        for (BadEventReason r : reasons) {
            metrics.put(r, group.counter(r.name()));
            LongCounter c = new LongCounter();
            context.addAccumulator(r.counterName(), c);
            accumulators.put(r, c);
        }
    }

    /** Counts {@code letter} and returns it. */
    public DeadLetter count(DeadLetter letter) {
        Counter metric = metrics.get(letter.reason());
        if (metric == null) {
            throw new IllegalStateException("no counter for dead-letter reason " + letter.reason() + ": register it in open()");
        }
        metric.inc();
        accumulators.get(letter.reason()).add(1);
        return letter;
    }
}
