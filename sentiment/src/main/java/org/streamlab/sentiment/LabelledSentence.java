package org.streamlab.sentiment;

/**
 * One sentence of a labelled sentiment data set.
 *
 * @param text   the sentence
 * @param label  1 positive, 0 negative
 * @param source where it comes from (amazon, imdb, yelp in datasets/sentiment/sentences.csv)
 */
public record LabelledSentence(String text, int label, String source) {

    public LabelledSentence {
        if (text == null) {
            throw new IllegalArgumentException("text must not be null");
        }
        if (label != 0 && label != 1) {
            throw new IllegalArgumentException("label must be 0 (negative) or 1 (positive), was " + label);
        }
    }
}
