package org.streamlab.kernel.testkit;

import java.util.List;
import java.util.Map;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.streamlab.kernel.ErrorReport;

/** Everything one cell produced: streams, displays (with their latest updates), result or error. */
public final class CellOutcome {
    private final String stdout;
    private final String stderr;
    private final Object value;
    private final DisplayData result;
    private final List<DisplayData> displays;
    private final Map<String, DisplayData> latestById;
    private final ErrorReport error;

    CellOutcome(String stdout, String stderr, Object value, DisplayData result, List<DisplayData> displays,
                Map<String, DisplayData> latestById, ErrorReport error) {
        this.stdout = stdout;
        this.stderr = stderr;
        this.value = value;
        this.result = result;
        this.displays = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(displays));
        this.latestById = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(latestById));
        this.error = error;
    }

    public boolean ok() { return error == null; }

    public String stdout() { return stdout; }

    public String stderr() { return stderr; }

    /** The live value of the cell's result (null when none). */
    public Object value() { return value; }

    /** The execute_result bundle, or null. */
    public DisplayData result() { return result; }

    /** text/plain of the result, or "" when the cell has none. */
    public String text() {
        return result == null ? "" : String.valueOf(result.getData(MIMEType.TEXT_PLAIN));
    }

    /** text/html of the result, or null. */
    public String html() {
        return result == null ? null : (String) result.getData(MIMEType.TEXT_HTML);
    }

    /** MIME types of the result. */
    public boolean resultHas(String mimeType) {
        return result != null && result.getData(MIMEType.parse(mimeType)) != null;
    }

    /** display_data outputs, as first shown. */
    public List<DisplayData> displays() { return displays; }

    /** The latest content of each display (after updateDisplay), in the order they were created. */
    public List<DisplayData> latestDisplays() {
        return displays.stream().map(d -> d.hasDisplayId() && latestById.containsKey(d.getDisplayId())
                ? latestById.get(d.getDisplayId()) : d).toList();
    }

    /** How many updates the displays received in total. */
    public int updateCount() { return latestById.isEmpty() ? 0 : (int) latestById.values().stream().count(); }

    public ErrorReport error() { return error; }

    /** The error's readable text (no colours), or null. */
    public String errorMessage() {
        return error == null ? null : error.plainText();
    }

    /** Everything a person would read: stdout, result text, error. */
    public String allText() {
        StringBuilder sb = new StringBuilder(stdout);
        for (DisplayData d : latestDisplays()) {
            sb.append('\n').append(d.getData(MIMEType.TEXT_PLAIN));
        }
        sb.append('\n').append(text());
        if (error != null) {
            sb.append('\n').append(errorMessage());
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "CellOutcome{ok=" + ok() + ", stdout=" + stdout + ", result=" + text()
                + (error == null ? "" : ", error=" + errorMessage()) + "}";
    }
}
