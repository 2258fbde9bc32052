package org.streamlab.kernel;

import org.dflib.jjava.jupyter.kernel.display.DisplayData;

/** Where a cell's rich outputs go: the Jupyter channel in the kernel, a recorder in the test kit. */
public interface CellOutput {
    /** Shows a bundle below the cell; when {@code displayId} is non-null it can be updated later. */
    void display(DisplayData data, String displayId);

    void updateDisplay(String displayId, DisplayData data);
}
