package org.streamlab.sentiment.drift;

/** One feature of one window against the reference: PSI, the KS statistic D and its p-value, the rule's verdict. */
public record FeatureDrift(String feature, double psi, double ksStatistic, double ksPValue, boolean drifted,
                           double referenceMean, double liveMean) {
}
