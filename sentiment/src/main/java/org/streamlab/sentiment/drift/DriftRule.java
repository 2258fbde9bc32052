package org.streamlab.sentiment.drift;

/** Decides from one feature's PSI and Kolmogorov-Smirnov p-value whether it drifted. */
@FunctionalInterface
public interface DriftRule {

    boolean drifted(double psi, double ksPValue);
}
