package org.streamlab.kernel.display;

import org.dflib.jjava.jupyter.kernel.display.DisplayData;

/**
 * Turns a value into a MIME bundle. Registered per class in the {@link RendererRegistry}; the registry
 * adds a {@code text/plain} form when a renderer gives none.
 */
@FunctionalInterface
public interface Renderer<T> {
    DisplayData render(T value) throws Exception;
}
