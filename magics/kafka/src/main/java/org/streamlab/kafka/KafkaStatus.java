package org.streamlab.kafka;

import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.streamlab.kernel.display.HtmlTable;

/** A one-line status that a magic shows and updates in place (produce progress, end of a consume). */
public record KafkaStatus(String message) {
    @Override
    public String toString() {
        return message;
    }

    DisplayData toDisplayData() {
        DisplayData d = new DisplayData(message);
        d.putHTML("<div class=\"streamlab-status\"><small>" + HtmlTable.escape(message) + "</small></div>");
        return d;
    }
}
