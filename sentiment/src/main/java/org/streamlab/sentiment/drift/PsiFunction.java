package org.streamlab.sentiment.drift;

/** A PSI implementation: the library's {@link Psi#of(double[], double[])}, or a notebook's own. */
@FunctionalInterface
public interface PsiFunction {

    double psi(double[] reference, double[] live);
}
