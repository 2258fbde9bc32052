package org.streamlab.sentiment.drift;

/**
 * The usual rule: a feature drifted when its PSI is above {@code psi} <b>or</b> the two-sample Kolmogorov-Smirnov
 * test rejects "same distribution" at level {@code ksPValue} (p below it). Defaults: PSI &gt; 0.2, p &lt; 0.01.
 */
public record DriftThresholds(double psi, double ksPValue) implements DriftRule {

    public DriftThresholds {
        if (!(psi > 0) || Double.isInfinite(psi)) {
            throw new IllegalArgumentException("the PSI threshold must be a positive number, got " + psi);
        }
        if (!(ksPValue > 0 && ksPValue < 1)) {
            throw new IllegalArgumentException("the KS p-value threshold must be in (0, 1), got " + ksPValue);
        }
    }

    public static DriftThresholds defaults() {
        return new DriftThresholds(0.2, 0.01);
    }

    @Override
    public boolean drifted(double psiValue, double pValue) {
        return psiValue > psi || pValue < ksPValue;
    }
}
