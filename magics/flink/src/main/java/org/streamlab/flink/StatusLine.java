package org.streamlab.flink;

/** A line of status text shown as it is (the kernel would quote a plain String). */
public record StatusLine(String text) {
    @Override
    public String toString() {
        return text;
    }
}
