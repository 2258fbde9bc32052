package org.streamlab.kernel.display;

/** Text shown as it is: a String result would be shown quoted, like a Java literal. For status lines and help. */
public record PlainText(String text) {
    @Override
    public String toString() {
        return text;
    }
}
