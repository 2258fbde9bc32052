package org.streamlab.sentiment;

import java.io.Serializable;

/**
 * How {@link SentimentHead#train} fits the logistic regression: Nesterov's accelerated full-batch gradient descent.
 *
 * @param epochs       passes over the whole training set (one gradient step each)
 * @param learningRate step size as a fraction of 1/L, L bounding the loss's curvature (computed from the data): 1 is
 *                     the largest step that cannot diverge; above 1 training may oscillate
 * @param l2           L2 penalty on the weights (not the bias), against over-fitting 384 weights on a few
 *                     thousand sentences (on datasets/sentiment, 1e-4 to 3e-3 all give 0.90-0.92 held out)
 */
public record TrainingOptions(int epochs, double learningRate, double l2) implements Serializable {

    public TrainingOptions {
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs must be at least 1, was " + epochs);
        }
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learningRate must be a positive number, was " + learningRate);
        }
        if (!(l2 >= 0) || Double.isInfinite(l2)) {
            throw new IllegalArgumentException("l2 must be zero or positive, was " + l2);
        }
    }

    /** 300 epochs (converged on a few thousand sentences), learning rate 1 (= 1/L), L2 1e-3. */
    public static TrainingOptions defaults() {
        return new TrainingOptions(300, 1.0, 1e-3);
    }

    public TrainingOptions withEpochs(int epochs) {
        return new TrainingOptions(epochs, learningRate, l2);
    }

    public TrainingOptions withLearningRate(double learningRate) {
        return new TrainingOptions(epochs, learningRate, l2);
    }

    public TrainingOptions withL2(double l2) {
        return new TrainingOptions(epochs, learningRate, l2);
    }
}
