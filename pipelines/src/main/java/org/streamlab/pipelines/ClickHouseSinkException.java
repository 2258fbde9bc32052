package org.streamlab.pipelines;

import java.io.IOException;

/** The window rows could not be written to ClickHouse; the message names the server, the table and what to do. */
public class ClickHouseSinkException extends IOException {
    private static final long serialVersionUID = 1L;

    public ClickHouseSinkException(String message, Throwable cause) {
        super(message, cause);
    }
}
