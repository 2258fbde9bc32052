package org.streamlab.sentiment;

/**
 * Confusion counts of a binary classifier on labelled examples (1 = positive).
 */
public record Evaluation(int truePositives, int falsePositives, int trueNegatives, int falseNegatives) {

    /** Counts predictions against labels (both 0 or 1, same length). */
    public static Evaluation of(int[] labels, int[] predictions) {
        if (labels == null || predictions == null || labels.length != predictions.length) {
            throw new IllegalArgumentException("labels and predictions must be non-null and of the same length");
        }
        int tp = 0, fp = 0, tn = 0, fn = 0;
        for (int i = 0; i < labels.length; i++) {
            boolean positive = labels[i] == 1;
            boolean predictedPositive = predictions[i] == 1;
            if (predictedPositive) {
                if (positive) tp++; else fp++;
            } else {
                if (positive) fn++; else tn++;
            }
        }
        return new Evaluation(tp, fp, tn, fn);
    }

    /** Labels and the positive probabilities of a classifier, a prediction being positive when p >= threshold. */
    public static Evaluation of(int[] labels, double[] positiveProbabilities, double threshold) {
        if (positiveProbabilities == null) {
            throw new IllegalArgumentException("positiveProbabilities must not be null");
        }
        int[] predictions = new int[positiveProbabilities.length];
        for (int i = 0; i < predictions.length; i++) {
            predictions[i] = positiveProbabilities[i] >= threshold ? 1 : 0;
        }
        return of(labels, predictions);
    }

    public int total() {
        return truePositives + falsePositives + trueNegatives + falseNegatives;
    }

    /** Share of correct predictions (0 when there are none). */
    public double accuracy() {
        return total() == 0 ? 0 : (double) (truePositives + trueNegatives) / total();
    }

    /** Of the predicted positives, the share that is positive (0 when none was predicted). */
    public double precision() {
        int predicted = truePositives + falsePositives;
        return predicted == 0 ? 0 : (double) truePositives / predicted;
    }

    /** Of the positives, the share predicted positive (0 when there are none). */
    public double recall() {
        int positives = truePositives + falseNegatives;
        return positives == 0 ? 0 : (double) truePositives / positives;
    }
}
