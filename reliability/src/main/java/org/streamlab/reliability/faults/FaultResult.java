package org.streamlab.reliability.faults;

import java.util.List;

/**
 * What one fault scenario measured: the records or rows it expected, how many of them were lost or duplicated after
 * recovery, how long recovery took, and notes on what exactly was done (so a figure is never read out of context).
 */
public record FaultResult(String scenario, String fault, boolean injected, long expected, long lost, long duplicated,
                          String recovery, List<String> notes) {

    /** True when the fault happened as planned and nothing was lost and nothing duplicated. */
    public boolean exact() {
        return injected && lost == 0 && duplicated == 0;
    }

    static String millis(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.2f s", nanos / 1e9);
    }
}
